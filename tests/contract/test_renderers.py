"""Every entry of the renderer table renders every kind of result it declares.

Add a format (one file in ``wordlight/viz/formats`` and one line in ``RENDERERS``) and it gets
these checks: non-empty output that names the words, a one-line error for kinds it does not
take, and its suffixes picking it.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from wordlight.errors import InputError
from wordlight.evaluation.compare import Comparison
from wordlight.results import Explanation, LayerExplanation, Token
from wordlight.viz.formats import KINDS, RENDERERS, render, renderer_for, write

TEXTS = ("a charming film", "not boring at all")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def explanation(text: str, scores: list[float]) -> Explanation:
    tokens = tuple(Token(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", text))
    return Explanation(
        text=text, tokens=tokens, scores=np.array(scores), target=1, target_label="positive",
        labels=("negative", "positive"), probabilities=np.array([0.2, 0.8]), method="saliency",
    )  # fmt: skip


def layers() -> LayerExplanation:
    tokens = (
        Token("[CLS]", 0, 0), Token("charming", 0, 8), Token("film", 9, 13), Token("[SEP]", 13, 13)
    )  # fmt: skip
    return LayerExplanation(
        text="charming film", tokens=tokens, special=(True, False, False, True), layers=(0, 1, 2),
        scores=np.arange(12.0).reshape(3, 4) / 10 - 0.5, target=1, target_label="positive",
        labels=("negative", "positive"), probabilities=np.array([0.3, 0.7]),
        method="layer_integrated_gradients", completeness_delta=np.array([1e-3, 2e-3, 3e-3]),
        n_steps=(8, 8, 8),
    )  # fmt: skip


def comparison() -> Comparison:
    exps = (explanation(TEXTS[0], [0.1, 0.5, 0.2]), explanation(TEXTS[1], [-0.3, 0.4, 0.0, 0.1]))
    return Comparison(
        texts=TEXTS, metrics=("comprehensiveness",),
        values={"saliency": {"comprehensiveness": np.array([0.25, 0.5])}},
        seconds={"saliency": 0.2}, explanations={"saliency": exps},
    )  # fmt: skip


SAMPLES = {
    "one explanation": (lambda: explanation(TEXTS[0], [0.1, 0.5, 0.2]), "explanations"),
    "explanations": (
        lambda: [explanation(TEXTS[0], [0.1, 0.5, 0.2]), explanation(TEXTS[1], [-1, 2, 0, 1])],
        "explanations",
    ),
    "layers": (lambda: [layers()], "layers"),
    "comparison": (comparison, "comparison"),
}
WORDS = {
    "one explanation": ["charming", "film"],
    "explanations": ["charming", "boring"],
    "layers": ["charming", "film"],
    "comparison": ["saliency"],
}


def cases():
    for name, renderer in RENDERERS.items():
        for sample, (_, kind) in SAMPLES.items():
            yield pytest.param(name, sample, kind in renderer.kinds, id=f"{name}-{sample}")


@pytest.mark.parametrize(("name", "sample", "supported"), list(cases()))
def test_every_renderer_renders_what_it_declares(name, sample, supported):
    renderer = RENDERERS[name]
    results = SAMPLES[sample][0]()
    if not supported:
        with pytest.raises(InputError, match=f"the {name} format renders") as info:
            renderer.render(results)
        assert "\n" not in str(info.value)
        return
    out = renderer.render(results, level="word", color=False)
    assert out, f"{name} gave nothing for {sample}"
    if renderer.binary:
        assert isinstance(out, bytes) and out.startswith(PNG_MAGIC) and len(out) > 500
        return
    assert isinstance(out, str)
    for word in WORDS[sample]:
        assert word in out, f"{name} output of {sample} lacks {word!r}"


@pytest.mark.parametrize("name", ["json", "jsonl"])
def test_json_formats_keep_the_numbers(name):
    results = [explanation(TEXTS[1], [-1.0, 2.0, 0.0, 0.5])]
    text = render(results, name)
    rows = json.loads(text) if name == "json" else [json.loads(x) for x in text.splitlines()]
    assert rows[0]["scores"] == [-1.0, 2.0, 0.0, 0.5]
    (layer_row,) = json.loads(render([layers()], "json"))
    assert layer_row["n_steps"] == [8, 8, 8] and layer_row["layers"] == [0, 1, 2]


def test_every_kind_has_a_renderer_and_names_match_keys():
    assert {kind for r in RENDERERS.values() for kind in r.kinds} == set(KINDS)
    assert all(key == r.name and r.suffixes for key, r in RENDERERS.items())


@pytest.mark.parametrize("name", list(RENDERERS))
def test_suffixes_pick_their_renderer(name):
    for suffix in RENDERERS[name].suffixes:
        assert renderer_for(out=f"dir/result{suffix.upper()}") is RENDERERS[name]


def test_unknown_format_or_suffix_is_one_line():
    with pytest.raises(InputError, match="unknown format 'pdf'; choose one of: 'terminal'") as a:
        render([layers()], "pdf")
    with pytest.raises(InputError, match=r"--out x\.pdf: give a \.html or \.json file") as b:
        renderer_for(out="x.pdf", formats=("html", "json"))
    with pytest.raises(InputError, match="cannot render a str") as c:
        RENDERERS["html"].render("just text")
    assert all("\n" not in str(e.value) for e in (a, b, c))
    assert renderer_for(out="x.pdf", fallback="terminal") is RENDERERS["terminal"]


def test_write_puts_text_and_bytes_in_files(tmp_path, capsys):
    page = tmp_path / "deep" / "page.html"
    write(RENDERERS["html"], [layers()], page)
    assert "charming" in page.read_text("utf-8")
    png = tmp_path / "heat.png"
    write(RENDERERS["png"], [layers()], png)
    assert png.read_bytes().startswith(PNG_MAGIC)
    with pytest.raises(InputError, match="binary; give an output file"):
        write(RENDERERS["png"], [layers()], None)
    write(RENDERERS["terminal"], explanation(TEXTS[0], [0.1, 0.5, 0.2]), None, color=False)
    assert "charming" in capsys.readouterr().out
