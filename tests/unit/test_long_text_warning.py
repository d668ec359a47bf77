"""transformers' "Token indices sequence length is longer than ..." warning is false for
wordlight (long texts are cut into windows), so it never reaches the user."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tests.conftest import bert_tokenizer, tiny_hf
from wordlight import IntegratedGradients, load_model
from wordlight.models.huggingface import LENGTH_WARNING, quiet_length_warning

LONG = " ".join(["the good movie was not boring"] * 20)  # 120 tokens


@pytest.fixture()
def records():
    """Every record the tokenizer's logger emits at WARNING or above, whatever the verbosity."""
    logger = logging.getLogger("transformers.tokenization_utils_base")
    seen: list[logging.LogRecord] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = seen.append  # type: ignore[method-assign]
    level = logger.level
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    yield seen
    logger.removeHandler(handler)
    logger.setLevel(level)


def _short_tokenizer():
    tok = bert_tokenizer()
    tok.model_max_length = 20
    return tok


def test_a_long_text_is_explained_without_the_length_warning(records, capfd):
    model, _ = tiny_hf("bert")
    clf = load_model(model, _short_tokenizer(), max_length=20)
    (exp,) = IntegratedGradients(n_steps=4).explain(clf, LONG, target=0)
    assert len(exp.scores) == 120  # every token explained, through windows
    assert np.isfinite(exp.scores).all()
    assert not [r for r in records if LENGTH_WARNING in r.getMessage()]
    assert "Token indices sequence length" not in capfd.readouterr().err


def test_the_filter_drops_exactly_that_warning(records):
    """Control: the tokenizer does warn when asked to (verbose=True), and the filter drops that
    line and nothing else."""
    tok = _short_tokenizer()
    with quiet_length_warning():
        tok(LONG, verbose=True)
        logging.getLogger("transformers.tokenization_utils_base").warning("another warning")
    assert [r.getMessage() for r in records] == ["another warning"]
    tok = _short_tokenizer()  # the warning is once per tokenizer: a fresh one
    tok(LONG, verbose=True)
    assert LENGTH_WARNING in records[-1].getMessage()
