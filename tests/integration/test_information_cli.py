"""``wordlight explain --method information --layer K`` end to end on a tiny saved model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import tiny_hf
from wordlight import Information, load_model
from wordlight.cli.main import main

FAST = ["-p", "regularization=self", "-p", "max_iterations=30", "--no-progress"]
pytestmark = pytest.mark.filterwarnings("ignore:information.*did not converge:UserWarning")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):  # as in test_cli_explain.py (a conftest fixture would share it)
    path = tmp_path_factory.mktemp("tiny-bert-info")
    model, tok = tiny_hf("bert")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return str(path)


def test_layer_option_reaches_the_method(model_dir, capsys):
    code = main(["explain", "a bad plot", "--model", model_dir, "--method", "information",
                 "--layer", "1", "--format", "json", *FAST])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    (data,) = json.loads(out)
    assert data["method"] == "information" and data["params"]["layer"] == 1
    expected = Information(layer=1, regularization="self", max_iterations=30).explain(
        load_model(model_dir), "a bad plot"
    )[0]
    np.testing.assert_allclose(data["scores"], expected.scores, rtol=1e-6)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--method", "information", "--layer", "7", *FAST], "layer 7 is out of range"),
        (["--method", "saliency", "--layer", "1"], "saliency has no parameter 'layer'"),
    ],
)
def test_bad_layer_is_one_line_and_exit_2(model_dir, capsys, argv, message):
    code = main(["explain", "a bad plot", "--model", model_dir, *argv])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
