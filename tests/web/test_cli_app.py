"""``wordlight app``: its options, the host warning, and a bad model failing before serving."""

from __future__ import annotations

import pytest

from wordlight.cli.app import declared, host_warning
from wordlight.cli.main import build_parser, main
from wordlight.errors import InputError


def test_defaults_bind_to_this_machine_only():
    args = build_parser().parse_args(["app"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.model == []
    assert host_warning("127.0.0.1") is None and host_warning("localhost") is None
    assert "other machines" in host_warning("0.0.0.0")


def test_declared_names():
    assert declared([], "model", ["default"]) == {"default": "default"}
    assert declared(["m=/x/model", "default"], "model", []) == {
        "m": "/x/model",
        "default": "default",
    }
    assert declared(["data/reviews.csv", "movies"], "data", []) == {
        "reviews": "data/reviews.csv", "movies": "movies"}  # fmt: skip
    with pytest.raises(InputError, match="twice"):
        declared(["a=x", "a=y"], "model", [])


def test_a_missing_model_directory_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["app", "--model", f"m={tmp_path / 'missing'}", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("wordlight: error:") and "\n" not in err
