"""The Runs view's API over a real explain-dataset run on a tiny model: filters, sorts and pages
against the run loaded with ``wordlight.load_explanations`` and filtered in plain Python; one row
against its Explanation; the corpus words against ``corpus_summary``; unknown and path-like
names."""

from __future__ import annotations

import math

import pytest
import torch

from tests.batch.helpers import texts, write_jsonl
from tests.conftest import tiny_hf

LABELS = ["negative", "positive", "neutral", "positive"]


def make_run(root):
    """A finished run: 24 labelled texts, the predicted class, with comprehensiveness."""
    from wordlight import load_model
    from wordlight.batch import Source, explain_dataset

    model = load_model(*tiny_hf("bert"))
    records = [{"id": f"s{i}", "text": t, "label": LABELS[i % 4]} for i, t in enumerate(texts(24))]
    src = Source(file=str(write_jsonl(root / "in.jsonl", records)), label_col="label", id_col="id")
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        explain_dataset(src, model, out=root / "run", params={"n_steps": 8},
                        metrics=["comprehensiveness"], chunk_size=10, progress=False)  # fmt: skip
    finally:
        torch.set_num_threads(before)
    return root / "run"


def make_big_run(run_dir, dest, per_shard=10_000, shards=10):
    """A run of per_shard * shards rows: the rows of ``run_dir`` repeated, row numbers unique."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    base = pq.read_table(run_dir / "shards")
    (dest / "shards").mkdir(parents=True)
    block = pa.concat_tables([base] * -(-per_shard // base.num_rows)).slice(0, per_shard)
    for k in range(shards):
        rows = pa.array(range(k * per_shard, (k + 1) * per_shard), pa.int64())
        pq.write_table(block.set_column(0, "row", rows), dest / "shards" / f"part-{k:05d}.parquet")
    return dest


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    return make_run(tmp_path_factory.mktemp("runsview"))


@pytest.fixture(scope="module")
def expected(run_dir):
    """The rows as plain dicts, from the library's own loader (not the query layer)."""
    from wordlight import load_explanations

    out = []
    for i, e in enumerate(load_explanations(run_dir)):
        predicted = e.labels[int(e.probabilities.argmax())]
        out.append({
            "row": i, "text": e.text, "true_label": e.true_label, "predicted_label": predicted,
            "confidence": float(e.probabilities.max()), "correct": predicted == e.true_label,
            "delta": e.completeness_delta, "words": [w.text for w in e.words],
            "word_scores": e.word_scores.tolist(),
        })  # fmt: skip
    return out


@pytest.fixture(scope="module")
def client(run_dir):
    from fastapi.testclient import TestClient

    from tests.web.conftest import linear_classifier
    from wordlight.web import create_app

    app = create_app({"linear": linear_classifier()[0]}, results={"small": run_dir})
    with TestClient(app) as c:
        yield c
    app.state.wordlight.close()


def test_run_list_and_info(client, expected):
    listed = client.get("/api/v1/runs").json()
    assert [r["name"] for r in listed] == ["small"]
    info = client.get("/api/v1/runs/small").json()
    assert info["rows"] == info["texts"] == len(expected) == 24
    assert info["true_labels"] == sorted(set(LABELS))
    assert info["metrics"] == ["comprehensiveness"]
    assert info["method"] == "integrated_gradients"


CASES = [
    ({}, lambda r: True),
    ({"label": "positive"}, lambda r: r["true_label"] == "positive"),
    ({"correct": "false"}, lambda r: not r["correct"]),
    ({"correct": "true", "label": "neutral"},
     lambda r: r["correct"] and r["true_label"] == "neutral"),
    ({"min_confidence": "0.34", "max_confidence": "0.345"},
     lambda r: 0.34 <= r["confidence"] <= 0.345),
    ({"max_delta": "1e-7"}, lambda r: abs(r["delta"]) <= 1e-7),
    ({"min_delta": "1e-7"}, lambda r: abs(r["delta"]) >= 1e-7),
    ({"word": "Movie"}, lambda r: "movie" in [w.lower() for w in r["words"]]),
]  # fmt: skip


@pytest.mark.parametrize(("query", "keep"), CASES)
@pytest.mark.parametrize(("sort", "key"), [
    ("confidence", lambda r: r["confidence"]), ("abs_delta", lambda r: abs(r["delta"])),
    ("row", lambda r: r["row"]),
])  # fmt: skip
def test_filters_sort_and_paging_match_python(client, expected, query, keep, sort, key):
    want = sorted((r for r in expected if keep(r)), key=lambda r: (-key(r), r["row"]))
    seen = []
    for page in range(3):
        got = client.get("/api/v1/runs/small/rows",
                         params={**query, "sort": sort, "desc": "true", "page": page,
                                 "page_size": 5}).json()  # fmt: skip
        assert got["total"] == len(want)
        seen += got["rows"]
    assert [r["row"] for r in seen] == [r["row"] for r in want[:15]]
    for got_row in seen:
        ref = expected[got_row["row"]]
        assert got_row["text"] == ref["text"] and got_row["words"] == ref["words"]
        assert got_row["word_scores"] == pytest.approx(ref["word_scores"], abs=1e-9)
        assert got_row["correct"] == ref["correct"]


def test_metric_filter_and_sort(client, run_dir):
    import pyarrow.parquet as pq

    comp = {r["row"]: r["comprehensiveness"] for r in pq.read_table(run_dir / "shards").to_pylist()}
    cut = sorted(comp.values())[len(comp) // 2]
    got = client.get("/api/v1/runs/small/rows", params={
        "metric": "comprehensiveness", "min_metric": cut, "sort": "comprehensiveness",
        "page_size": 100}).json()  # fmt: skip
    want = sorted((r for r, c in comp.items() if c >= cut), key=lambda r: (comp[r], r))
    assert [r["row"] for r in got["rows"]] == want
    assert all(math.isclose(r["comprehensiveness"], comp[r["row"]]) for r in got["rows"])


def test_one_row_is_its_explanation(client, run_dir):
    from wordlight import load_explanations

    e = load_explanations(run_dir)[7]
    got = client.get("/api/v1/runs/small/rows/7").json()
    assert got["row"] == 7 and got["id"] == "s7"
    assert got["explanation"]["text"] == e.text
    assert got["explanation"]["scores"] == pytest.approx(e.scores.tolist(), abs=1e-9)
    assert got["prediction"]["predicted"] == e.labels[int(e.probabilities.argmax())]
    assert got["prediction"]["values"] == pytest.approx(e.probabilities.tolist())
    assert set(got["faithfulness"]) == {"comprehensiveness"}


def test_summary_is_the_corpus_report(client, run_dir):
    from wordlight.batch.report_data import corpus_summary

    got = client.get("/api/v1/runs/small/summary", params={"min_count": 2, "top": 5}).json()
    want = corpus_summary(run_dir, min_count=2, top=5)
    assert got["classes"] == want["classes"]
    for label in want["classes"]:
        for outcome in ("all", "correct", "wrong"):
            for side in ("towards", "against"):
                assert [w["word"] for w in got["per_class"][label][outcome][side]] == [
                    w["word"] for w in want["per_class"][label][outcome][side]
                ]
    assert client.get("/api/v1/runs/small/summary", params={"min_count": 2, "top": 5}).json() == got


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/runs/nope", "/api/v1/runs/nope/rows", "/api/v1/runs/small/rows/999",
        "/api/v1/runs/..%2F..%2Fetc%2Fpasswd/rows", "/api/v1/runs/%2Fetc%2Fpasswd",
        "/api/v1/runs/..%2Fsmall/summary", "/api/v1/runs/small%00/rows",
        "/api/v1/runs/small%2F..%2F..%2Frun/rows",
    ],
)  # fmt: skip
def test_unknown_runs_and_rows_are_404(client, path):
    r = client.get(path)
    assert r.status_code == 404, r.text
    assert "passwd" not in r.text or "unknown run" in r.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "speed"}, {"page_size": 100_000}, {"page": -1}, {"min_confidence": "nan"},
        {"min_confidence": 2}, {"correct": "maybe"}, {"metric": "sufficiency", "min_metric": 0.1},
        {"min_metric": 0.1}, {"word": "x" * 500}, {"max_delta": "-1"}, {"metric": "speed"},
    ],
)  # fmt: skip
def test_bad_filters_are_422(client, params):
    r = client.get("/api/v1/runs/small/rows", params=params)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] and "\n" not in r.json()["detail"]


def test_a_run_directory_is_checked_at_start(tmp_path):
    from wordlight.errors import InputError
    from wordlight.web.runs import RunStore

    with pytest.raises(InputError, match="not a wordlight run"):
        RunStore({"x": tmp_path})


def test_cli_declares_runs(run_dir):
    from wordlight.cli.app import declared_runs
    from wordlight.errors import InputError

    assert declared_runs([str(run_dir), f"b={run_dir}"]) == {"run": str(run_dir), "b": str(run_dir)}
    with pytest.raises(InputError, match="declared twice"):
        declared_runs([f"a={run_dir}", f"a={run_dir}"])


def test_first_page_of_a_100k_row_run_through_the_api(run_dir, tmp_path):
    """10 shards of 10,000 rows (the small run repeated, row numbers made unique): the first
    page through HTTP, on a fresh app (a cold DuckDB connection), then a filtered, sorted page."""
    import time

    from fastapi.testclient import TestClient

    from tests.web.conftest import linear_classifier
    from wordlight.web import create_app

    make_big_run(run_dir, tmp_path / "big")
    app = create_app({"linear": linear_classifier()[0]}, results={"big": tmp_path / "big"})
    with TestClient(app) as c:
        start = time.perf_counter()
        first = c.get("/api/v1/runs/big/rows", params={"page_size": 50})
        cold = time.perf_counter() - start
        start = time.perf_counter()
        other = c.get("/api/v1/runs/big/rows", params={
            "label": "positive", "word": "movie", "sort": "confidence", "desc": "true",
            "page": 3, "page_size": 50})  # fmt: skip
        warm = time.perf_counter() - start
    app.state.wordlight.close()
    print(f"API, 100k rows: first page {cold * 1000:.0f} ms (cold), "
          f"filtered+sorted page {warm * 1000:.0f} ms (warm)")  # fmt: skip
    assert first.status_code == other.status_code == 200
    assert first.json()["total"] == 100_000 and [r["row"] for r in first.json()["rows"]] == list(
        range(50)
    )
    assert len(other.json()["rows"]) == 50
    assert cold < 1.0 and warm < 1.0


def test_cli_a_bad_run_directory_is_one_line_and_exit_2(tmp_path, capsys):
    from wordlight.cli.main import main

    assert main(["app", "--model", "default", "--results", f"r={tmp_path}", "--port", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("wordlight: error:") and "not a wordlight run" in err and "\n" not in err
