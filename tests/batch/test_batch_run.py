"""explain_dataset on real files: the rows equal wordlight.explain's, rejects keep their reasons,
settings that differ are refused, and the run reads back into Explanations."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

import wordlight
from tests.batch.helpers import cli, texts, write_jsonl
from wordlight.batch import SCHEMA_VERSION, Source, explain_dataset
from wordlight.errors import InputError

IG = {"n_steps": 8}


def _same(a: wordlight.Explanation, b: wordlight.Explanation) -> None:
    assert a.text == b.text and a.target == b.target and a.tokens == b.tokens
    assert [w.text for w in a.words] == [w.text for w in b.words]
    np.testing.assert_allclose(a.scores, b.scores, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(a.probabilities, b.probabilities, rtol=1e-5, atol=1e-7)


def test_rows_equal_one_explain_call_and_read_back(model_dir, tmp_path):
    items = texts(23)
    labels = ["negative", "positive", "neutral"]
    records = [{"id": f"t{i}", "text": t, "label": labels[i % 3]} for i, t in enumerate(items)]
    src = Source(file=str(write_jsonl(tmp_path / "in.jsonl", records)), label_col="label",
                 id_col="id")  # fmt: skip
    summary = explain_dataset(src, str(model_dir), out=tmp_path / "run", params=IG, chunk_size=5)
    assert (summary.texts, summary.rows, summary.rejected, summary.shards) == (23, 23, 0, 5)

    expected = wordlight.explain(str(model_dir), items, "integrated_gradients", n_steps=8)
    got = wordlight.load_explanations(tmp_path / "run")
    assert len(got) == len(expected)
    for g, e, label in zip(got, expected, [r["label"] for r in records], strict=True):
        _same(g, e)
        assert g.true_label == label and g.method == "integrated_gradients"
        assert g.completeness_delta == pytest.approx(e.completeness_delta, abs=1e-6)

    table = pq.read_table(tmp_path / "run" / "shards")
    assert table.schema.metadata[b"wordlight.schema_version"] == str(SCHEMA_VERSION).encode()
    rows = sorted(table.to_pylist(), key=lambda r: r["row"])
    assert [r["id"] for r in rows] == [f"t{i}" for i in range(23)]
    for r in rows:
        assert r["correct"] == (r["predicted_label"] == r["true_label"])
        assert r["confidence"] == pytest.approx(max(r["probabilities"]))
        assert r["model_hash"] and r["wordlight_version"] == wordlight.__version__
        assert json.loads(r["params"])["n_steps"] == 8
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["complete"] and manifest["rows"] == 23 and manifest["chunks"] == 5


def test_rejects_keep_their_reason_and_nothing_is_dropped(model_dir, tmp_path):
    good = texts(6)
    lines = [b"id,text,label"]
    lines += [f"g{i},{t},positive".encode() for i, t in enumerate(good)]
    lines += [b"e1,   ,negative", b"b1,caf\xe9 movie,negative", b"l1,good film,sarcastic"]
    lines += [b"f1,too,many,fields"]
    path = tmp_path / "in.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    src = Source(file=str(path), label_col="label", id_col="id")
    summary = explain_dataset(src, str(model_dir), out=tmp_path / "run", params=IG, chunk_size=4)
    assert (summary.texts, summary.rows, summary.rejected) == (10, 6, 4)
    rejects = [json.loads(x) for x in (tmp_path / "run" / "rejects.jsonl").read_text().splitlines()]
    reasons = {r["id"]: r["reason"] for r in rejects}
    assert reasons["e1"] == "empty text"
    assert reasons["b1"].startswith("bad encoding")
    assert "'sarcastic' is not a class" in reasons["l1"]
    assert "4 fields" in reasons["f1"]
    kept = [e.text for e in wordlight.load_explanations(tmp_path / "run")]
    assert kept == good


def test_duplicate_ids_are_refused_with_one_line(model_dir, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "good"},
                                               {"id": "b", "text": "bad"},
                                               {"id": "a", "text": "fun"}])  # fmt: skip
    proc = cli("explain-dataset", "--file", str(path), "--id-col", "id", "--model",
               str(model_dir), "--out", str(tmp_path / "run"), check=False)  # fmt: skip
    assert proc.returncode == 2  # a real process: no traceback, one line
    assert proc.stderr.strip().splitlines() == [
        "wordlight: error: duplicate id 'a' at rows 1 and 3 of column 'id'; ids must be unique"
    ]
    assert not (tmp_path / "run" / "shards").exists()


def test_a_different_run_is_refused_unless_overwrite(model_dir, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(4)])
    run = tmp_path / "run"
    explain_dataset(path, str(model_dir), out=run, params=IG)
    with pytest.raises(InputError, match="different parameters; pass --overwrite"):
        explain_dataset(path, str(model_dir), out=run, params={"n_steps": 9})
    with pytest.raises(InputError, match="different method"):
        explain_dataset(path, str(model_dir), "saliency", out=run)
    write_jsonl(path, [{"text": t} for t in texts(5)])
    with pytest.raises(InputError, match="different input"):
        explain_dataset(path, str(model_dir), out=run, params=IG)
    summary = explain_dataset(path, str(model_dir), out=run, params=IG, overwrite=True)
    assert summary.rows == 5 and summary.resumed == 0


def test_resume_redoes_only_missing_shards(model_dir, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(9)])
    run = tmp_path / "run"
    explain_dataset(path, str(model_dir), out=run, params=IG, chunk_size=3)
    before = pq.read_table(run / "shards").sort_by("row").to_pylist()
    (run / "shards" / "part-00001.parquet").unlink()
    (run / "shards" / "part-00002.parquet.tmp").write_bytes(b"half a shard")
    summary = explain_dataset(path, str(model_dir), out=run, params=IG, chunk_size=3)
    assert summary.resumed == 2 and summary.shards == 3 and summary.rows == 9
    assert not list((run / "shards").glob("*.tmp"))
    after = pq.read_table(run / "shards").sort_by("row").to_pylist()
    assert after == before


def test_jsonl_format_target_all_and_metrics(model_dir, tmp_path):
    items = texts(5)
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in items])
    run = tmp_path / "run"
    explain_dataset(path, str(model_dir), out=run, params=IG, fmt="jsonl", target="all",
                    metrics=["comprehensiveness", "sufficiency"], chunk_size=2)  # fmt: skip
    got = wordlight.load_explanations(run)
    expected = wordlight.explain(str(model_dir), items, target="all", n_steps=8)
    assert len(got) == 15 and [e.target for e in got[:3]] == [0, 1, 2]
    for g, e in zip(got, expected, strict=True):
        _same(g, e)
    from wordlight.evaluation import evaluate_faithfulness

    want = evaluate_faithfulness(str(model_dir), got, ["comprehensiveness", "sufficiency"])
    rows = [json.loads(x) for p in sorted((run / "shards").glob("*.jsonl"))
            for x in p.read_text().splitlines()]  # fmt: skip
    for name in ("comprehensiveness", "sufficiency"):
        np.testing.assert_allclose([r[name] for r in rows], want[name], atol=1e-6)


def test_parquet_and_tsv_input_and_progress(model_dir, tmp_path, capsys):
    import pyarrow as pa

    items = texts(6)
    pq.write_table(pa.table({"body": items, "key": [f"k{i}" for i in range(6)]}),
                   tmp_path / "in.parquet")  # fmt: skip
    src = Source(file=str(tmp_path / "in.parquet"), text_col="body", id_col="key")
    explain_dataset(src, str(model_dir), out=tmp_path / "a", params=IG, chunk_size=2,
                    progress=True)  # fmt: skip
    err = capsys.readouterr().err
    assert "6/6 texts (100.0%)" in err and "rows/s" in err and "ETA" in err
    (tmp_path / "in.tsv").write_text("body\n" + "\n".join(items) + "\n")
    src = Source(file=str(tmp_path / "in.tsv"), text_col="body")
    explain_dataset(src, str(model_dir), out=tmp_path / "b", params=IG, chunk_size=4)
    a = pq.read_table(tmp_path / "a" / "shards").sort_by("row")
    b = pq.read_table(tmp_path / "b" / "shards").sort_by("row")
    assert a["id"].to_pylist() == [f"k{i}" for i in range(6)]
    assert a["text"].to_pylist() == b["text"].to_pylist() == items
    scores = [np.concatenate(t["token_scores"].to_pylist()) for t in (a, b)]
    np.testing.assert_allclose(scores[0], scores[1], atol=1e-6)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--file", "nope.csv"], "nope.csv does not exist"),
        (["--file", "x.txt"], "unknown file type"),
        (["--data", "movies", "--split", "dev"], "unknown split 'dev'"),
        (["--file", "IN", "--metrics", "speed"], "unknown faithfulness metric 'speed'"),
        (["--file", "IN", "--text-col", "body"], "has no column 'body'"),
        (["--file", "IN", "--method", "magic"], "unknown method 'magic'"),
    ],
)
def test_bad_arguments_are_one_line_exit_2(model_dir, tmp_path, capsys, argv, message):
    from wordlight.cli.main import main

    (tmp_path / "in.csv").write_text("text\ngood\n")
    (tmp_path / "x.txt").write_text("good\n")
    argv = [str(tmp_path / "in.csv") if a == "IN" else str(tmp_path / a) if a.endswith(".txt")
            else a for a in argv]  # fmt: skip
    code = main(["explain-dataset", *argv, "--model", str(model_dir), "--out",
                 str(tmp_path / "run"), "--no-progress"])  # fmt: skip
    assert code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines


def test_a_foreign_directory_is_refused_but_a_start_killed_early_is_not(model_dir, tmp_path):
    path = write_jsonl(tmp_path / "in.jsonl", [{"text": t} for t in texts(3)])
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="exists and is not a wordlight run"):
        explain_dataset(path, str(model_dir), out=foreign, params=IG)
    early = tmp_path / "early"  # killed after making its folders, before the first manifest
    (early / "shards").mkdir(parents=True)
    (early / "rejects").mkdir()
    (early / "manifest.json.tmp").write_text("{")
    assert explain_dataset(path, str(model_dir), out=early, params=IG).rows == 3


def test_a_built_in_data_set_gives_the_rows_of_the_same_texts_as_a_file(
    model_dir, tmp_path, monkeypatch, capsys
):
    """``--data movies --split test``, read from an offline cache of tiny VADER files written
    the way wordlight's fetch leaves them, equals ``--file`` with the same ids, texts, labels."""
    from wordlight.cli.main import main
    from wordlight.data import fetch, load_dataset, vader

    cache = tmp_path / "cache"
    folder = cache / vader.SOURCE.folder
    folder.mkdir(parents=True)
    items = texts(60, seed=5)
    raw = "".join(f"m{i}\t{(-1) ** i * (1 + i % 3) / 2}\t{t}\r\n" for i, t in enumerate(items))
    for name in vader.FILES:
        (folder / vader.file_name(name)).write_bytes(raw.encode())
    digests = {vader.file_name(n): fetch.sha256(raw.encode()) for n in vader.FILES}
    (folder / fetch.MANIFEST).write_text(json.dumps({"files": digests}))
    monkeypatch.setenv("WORDLIGHT_CACHE", str(cache))
    test = load_dataset("movies").test
    assert len(test) >= 5 and set(test.texts) <= set(items)
    records = [{"id": i, "text": t, "label": test.label_names[y]}
               for i, t, y in zip(test.ids, test.texts, test.labels, strict=True)]  # fmt: skip
    path = write_jsonl(tmp_path / "test.jsonl", records)

    common = ["--model", str(model_dir), "-p", "n_steps=8", "--chunk-size", "2", "--no-progress"]
    assert main(["explain-dataset", "--data", "movies", "--split", "test", *common,
                 "--out", str(tmp_path / "data")]) == 0  # fmt: skip
    assert main(["explain-dataset", "--file", str(path), "--id-col", "id", "--label-col",
                 "label", *common, "--out", str(tmp_path / "file")]) == 0  # fmt: skip
    assert f"{len(test)} row(s) from {len(test)} text(s)" in capsys.readouterr().err
    a = pq.read_table(tmp_path / "data" / "shards").sort_by("row").to_pylist()
    b = pq.read_table(tmp_path / "file" / "shards").sort_by("row").to_pylist()
    assert [(r["id"], r["text"], r["true_label"]) for r in a] == [
        (x["id"], x["text"], x["label"]) for x in records
    ]
    assert a == b
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text())
    assert manifest["source"] == {"data": "movies", "split": "test"}
