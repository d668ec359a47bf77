"""The contract every registry entry keeps: every method in METHODS, every layer method in
LAYER_METHODS and every data set in the data catalog. A new entry gets these checks by its
registry line (a method with slow defaults may add a line to FAST; a data set adds its tiny raw
files to _raw_files). The renderers' own contract is tests/contract/test_renderers.py.
"""

from __future__ import annotations

import bz2
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import TEXTS
from wordlight import load_explanations, load_model, make_explainer, save_explanations
from wordlight.api import make_layer_method
from wordlight.data import CATALOG, Splits, fetch, load_dataset
from wordlight.errors import InputError
from wordlight.methods import LAYER_METHODS, METHODS, describe_parameters
from wordlight.results import LayerExplanation
from wordlight.viz import render_html, render_terminal, save_html

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # few samples/iterations on purpose

# the cheap settings of methods whose defaults take long on a tiny model (contract, not accuracy)
FAST: dict[str, dict[str, Any]] = {
    "integrated_gradients": {"n_steps": 4},
    "information": {"regularization": "self", "max_iterations": 10, "samples": 2},
    "lime": {"n_samples": 24},
    "kernel_shap": {"n_samples": 24},
    "layer_integrated_gradients": {"n_steps": 4},
    "layer_conductance": {"n_steps": 4},
}
BATCH = [TEXTS[0], TEXTS[3]]  # one text with subword pieces, one word


@pytest.fixture(scope="module")
def clf(tiny_bert):
    return load_model(*tiny_bert)


def _one_line(exc: pytest.ExceptionInfo[InputError]) -> None:
    assert str(exc.value) and "\n" not in str(exc.value)


def _outside(parameter: Any) -> object:
    """A value just outside a parameter's declared range."""
    rng = parameter.range
    if rng.low is not None:
        below = rng.low if rng.low_open else rng.low - 1
        return int(below) if rng.integer else float(below)
    return int(rng.high + 1) if rng.integer else float(rng.high + 1)


def _bad_values(cls: type) -> list[tuple[str, object]]:
    """One out-of-range value per ranged parameter and an unknown choice per choice one."""
    out: list[tuple[str, object]] = []
    for p in describe_parameters(cls):
        if p.range is not None:
            out.append((p.name, _outside(p)))
        elif p.choices:
            out.append((p.name, "no-such-choice"))
    return out


# --- methods ---------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=list(METHODS))
def method_run(request, clf):
    name = request.param
    explainer = make_explainer(name, **FAST.get(name, {}))
    return name, explainer, explainer.explain(clf, BATCH, target="predicted")


def test_method_batch_equals_one_at_a_time(method_run, clf):
    _, explainer, batch = method_run
    for text, together in zip(BATCH, batch, strict=True):
        (alone,) = explainer.explain(clf, text, target="predicted")
        np.testing.assert_allclose(alone.scores, together.scores, rtol=1e-4, atol=1e-6)


def test_method_same_seed_same_result(method_run, clf):
    _, explainer, batch = method_run
    again = explainer.explain(clf, BATCH, target="predicted")
    for a, b in zip(batch, again, strict=True):
        np.testing.assert_array_equal(a.scores, b.scores)


def test_method_shapes_and_labels(method_run, clf):
    name, _, batch = method_run
    assert len(batch) == len(BATCH)
    for text, exp in zip(BATCH, batch, strict=True):
        assert exp.text == text and exp.method == name
        assert exp.scores.shape == (len(exp.tokens),) and np.isfinite(exp.scores).all()
        assert exp.target_label == clf.labels[exp.target]
        assert exp.target == int(np.argmax(exp.probabilities))  # target="predicted"
        assert math.isclose(float(np.sum(exp.probabilities)), 1.0, rel_tol=1e-5)
        assert " ".join(w.text for w in exp.words).replace(" ", "") in text.replace(" ", "")
        assert len(exp.word_scores) == len(exp.words)


def test_method_save_load_round_trip(method_run, tmp_path):
    _, _, batch = method_run
    for suffix in (".json", ".jsonl"):
        loaded = load_explanations(save_explanations(batch, tmp_path / f"e{suffix}"))
        for a, b in zip(batch, loaded, strict=True):
            np.testing.assert_allclose(b.scores, a.scores, rtol=1e-6)
            assert (b.method, b.target_label, b.text) == (a.method, a.target_label, a.text)
            assert dict(b.params) == json.loads(json.dumps(dict(a.params)))


def test_method_renders(method_run, tmp_path):
    _, _, batch = method_run
    terminal = render_terminal(batch, color=False)
    html = render_html(batch)
    for exp in batch:
        assert exp.words[0].text in terminal and exp.words[0].text in html
    assert save_html(batch, tmp_path / "e.html").read_text(encoding="utf-8") == html


@pytest.mark.parametrize("name", list(METHODS))
def test_method_bad_parameters_are_one_line(name):
    with pytest.raises(InputError, match="no parameter 'no_such_parameter'") as info:
        make_explainer(name, no_such_parameter=1)
    _one_line(info)
    bad = _bad_values(METHODS[name])
    assert any(p == "output" for p, _ in bad)  # every method declares its choices
    for parameter, value in bad:
        with pytest.raises(InputError, match=parameter) as info:
            make_explainer(name, **{parameter: value})
        _one_line(info)


def test_unknown_method_and_alias():
    with pytest.raises(InputError, match="unknown method 'nope'; choose one of: 'saliency'") as e:
        make_explainer("nope")
    _one_line(e)
    assert type(make_explainer("shap")) is METHODS["kernel_shap"]  # results saved as "shap"


# --- layer methods ---------------------------------------------------------------------------
@pytest.fixture(scope="module", params=list(LAYER_METHODS))
def layer_run(request, clf):
    name = request.param
    method = make_layer_method(name, **FAST.get(name, {}))
    return name, method, method.explain(clf, BATCH, target="predicted")


def test_layer_batch_equals_one_at_a_time(layer_run, clf):
    _, method, batch = layer_run
    for text, together in zip(BATCH, batch, strict=True):
        (alone,) = method.explain(clf, text, target="predicted")
        np.testing.assert_allclose(alone.scores, together.scores, rtol=1e-4, atol=1e-6)


def test_layer_same_seed_same_result(layer_run, clf):
    _, method, batch = layer_run
    for a, b in zip(batch, method.explain(clf, BATCH, target="predicted"), strict=True):
        np.testing.assert_array_equal(a.scores, b.scores)


def test_layer_shapes_labels_round_trip_and_render(layer_run, clf):
    name, _, batch = layer_run
    assert len(batch) == len(BATCH)
    for text, exp in zip(BATCH, batch, strict=True):
        assert exp.method == name and exp.text == text
        assert exp.scores.shape == (len(exp.layers), len(exp.tokens))
        assert np.isfinite(exp.scores[:, exp.content]).all()
        assert exp.target_label == clf.labels[exp.target]
        back = LayerExplanation.from_dict(json.loads(json.dumps(exp.to_dict())))
        np.testing.assert_allclose(back.scores, exp.scores, rtol=1e-6)
        assert back.layers == exp.layers and back.method == exp.method
        last = exp.explanation(exp.layers[-1])
        assert last.words[0].text in render_terminal(last, color=False)
        assert last.words[0].text in render_html([last])


@pytest.mark.parametrize("name", list(LAYER_METHODS))
def test_layer_bad_parameters_are_one_line(name):
    with pytest.raises(InputError, match="no parameter 'no_such_parameter'") as info:
        make_layer_method(name, no_such_parameter=1)
    _one_line(info)
    for parameter, value in _bad_values(LAYER_METHODS[name]):
        with pytest.raises(InputError, match=parameter) as info:
            make_layer_method(name, **{parameter: value})
        _one_line(info)
    with pytest.raises(InputError, match="unknown layer method 'nope'") as info:
        make_layer_method("nope")
    _one_line(info)


# --- data sets ---------------------------------------------------------------------------------
def _vader(rows: int) -> bytes:
    lines = [
        f"{i}\t{(-1) ** i * (1 + i % 3) / 2}\tsnippet number {i} here\r\n" for i in range(rows)
    ]
    return "".join(lines).encode()


def _drugs() -> bytes:
    head = "\tdrugName\tcondition\treview\trating\tdate\tusefulCount\r\n"
    ratings = ["positive", "negative", "neutral"]

    def part(start: int, n: int) -> bytes:
        rows = [
            f'{start + i}\tD\tPain\t"""review {i} text"""\t{ratings[i % 3]}\tMay 1, 2011\t{i}\r\n'
            for i in range(n)
        ]
        return (head + "".join(rows)).encode()

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("drugsComTrain.tsv", part(100, 21))
        zf.writestr("drugsComTest.tsv", part(900, 6))
    return buffer.getvalue()


def _rotten() -> bytes:
    rows = [f'{"fresh" if i % 2 else "rotten"},"Snippet {i}.",film,True\n' for i in range(20)]
    return bz2.compress(
        ("category,text,movie_name,has_plot_and_reviews\n" + "".join(rows)).encode()
    )


def _essays(folder: Path) -> Path:
    lines = ["essay_id\tessay_set\tessay\tdomain1_score"]
    lines += [f"{i}\t1\tEssay {i} on the topic\t{i % 8 + 1}" for i in range(24)]
    path = folder / "training_set_rel3.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    return path


def _raw_files() -> dict[str, bytes]:
    """Every fetched data set's tiny raw files: {file name its loader reads: bytes}."""
    from wordlight.data import drugs, rotten, vader

    files = {vader.file_name(name): _vader(30) for name in vader.FILES}
    files[drugs.ZIP_NAME] = _drugs()
    files[rotten.FILE_NAME] = _rotten()
    return files


@pytest.fixture()
def tiny_sources(monkeypatch, tmp_path):
    """Every fetched set reads its tiny in-memory raw file; nothing is downloaded."""
    files = _raw_files()

    def read_file(source: fetch.PackageSource, name: str) -> bytes:
        return files[name]

    def no_network(source: fetch.PackageSource) -> Path:
        raise AssertionError("the contract suite never fetches")

    monkeypatch.setattr(fetch, "read_file", read_file)
    monkeypatch.setattr(fetch, "ensure", no_network)
    monkeypatch.setattr(fetch, "folder_of", lambda source: tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", list(CATALOG))
def test_dataset_loads_fixed_splits(name, tiny_sources):
    path = _essays(tiny_sources) if CATALOG[name].package() is None else None
    splits = load_dataset(name, path=path)
    assert isinstance(splits, Splits) and splits == load_dataset(name, path=path)  # deterministic
    assert isinstance(CATALOG[name].load(path), Splits)
    parts = (splits.train, splits.validation, splits.test)
    assert all(len(p) > 0 for p in parts)
    ids = [i for p in parts for i in p.ids] if splits.train.ids else []
    assert len(ids) == len(set(ids))  # a partition: no row in two splits
    for part in parts:
        assert part.label_names == splits.train.label_names and part.task == splits.train.task
        assert all(isinstance(t, str) and t.strip() for t in part.texts)
        assert all(0 <= y < len(part.label_names) for y in part.labels)
    assert CATALOG[name].description and CATALOG[name].source


def test_unknown_dataset_is_one_line():
    from wordlight.errors import DataError

    with pytest.raises(DataError, match="unknown data set 'nope'; choose one of: 'movies'") as e:
        load_dataset("nope")
    assert "\n" not in str(e.value)
