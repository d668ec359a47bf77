"""``wordlight explain`` / ``wordlight methods`` end to end on a tiny saved model."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import TEXTS, tiny_hf
from wordlight.cli.main import main
from wordlight.methods import METHODS


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-bert")
    model, tok = tiny_hf("bert")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)


def _run(argv, capsys):
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_methods_lists_every_method_and_its_parameters(capsys):
    code, out, _ = _run(["methods"], capsys)
    assert code == 0
    for name in METHODS:
        assert f"{name}:" in out
    assert "n_steps = 50" in out and "baseline = 'pad'" in out


def test_explain_to_json_round_trips(model_dir, tmp_path, capsys):
    from wordlight import load_explanations

    out_file = tmp_path / "r.jsonl"
    argv = ["explain", *TEXTS[:2], "--model", model_dir, "--steps", "auto", "--target", "all",
            "--out", str(out_file), "--no-progress"]  # fmt: skip
    code, _, err = _run(argv, capsys)
    assert code == 0 and "wrote 6 explanation(s)" in err
    exps = load_explanations(out_file)
    assert [e.target_label for e in exps[:3]] == ["negative", "neutral", "positive"]
    for e in exps:
        assert e.params["n_steps"] == "auto" and e.params["rule"] == "adaptive_simpson"
        assert e.n_steps >= e.params["min_steps"]
        gap = e.total - e.completeness_delta
        assert abs(e.completeness_delta) <= 0.01 * abs(gap) + 1e-6


def test_explain_file_to_html_and_terminal(model_dir, tmp_path, capsys):
    src = tmp_path / "texts.txt"
    src.write_text("\n".join(TEXTS) + "\n\n", encoding="utf-8")
    html = tmp_path / "r.html"
    code, _, _ = _run(["explain", "--file", str(src), "--model", model_dir, "--out", str(html),
                       "--method", "saliency", "-p", "norm=signed"], capsys)  # fmt: skip
    assert code == 0
    page = html.read_text(encoding="utf-8")
    assert "memorable" in page and "<html" in page.lower()
    code, out, _ = _run(
        ["explain", "a bad plot", "--model", model_dir, "--format", "terminal"], capsys
    )
    assert code == 0 and "plot" in out and "\x1b[" not in out  # not a TTY: plain


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["explain", "  "], "empty"),
        (["explain", "good", "--method", "nope"], "unknown method 'nope'; choose one of"),
        (["explain", "good", "--target", "happy"], "unknown target label 'happy'"),
        (["explain", "good", "--steps", "0"], "n_steps must be >= 1"),
        (["explain", "good", "--steps", "lots"], "n_steps='lots' is not a valid int"),
        (["explain", "good", "-p", "bogus=1"], "no parameter 'bogus'"),
        (["explain"], "no text given"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(model_dir, capsys, argv, message):
    code, _, err = _run([*argv, "--model", model_dir], capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_model_dir_and_bad_utf8(tmp_path, capsys):
    code, _, err = _run(["explain", "good", "--model", str(tmp_path / "missing")], capsys)
    assert code == 2 and "not found" in err
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"fine text\n\xff\xfe broken\n")
    code, _, err = _run(["explain", "--file", str(bad), "--model", str(tmp_path)], capsys)
    assert code == 2 and "not valid UTF-8" in err and err.count("\n") == 1


def test_console_script_exits_2_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "wordlight.cli.main", "explain", "x", "-m", str(tmp_path / "no")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("wordlight: error:") and "Traceback" not in proc.stderr
