"""Every supported architecture goes through the same adapter, unchanged by explaining it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tests.conftest import TEXTS
from wordlight import IntegratedGradients, ModelError, load_model


def test_adapter_logits_equal_the_models_own(tiny_any):
    _, model, tok = tiny_any
    clf = load_model(model, tok)
    assert clf.labels == ("negative", "neutral", "positive")
    enc = tok(TEXTS, return_tensors="pt", padding=True)
    with torch.no_grad():
        ref = model(**{k: v for k, v in enc.items() if k != "token_type_ids"}).logits
        ours = clf.logits(clf.embed(enc["input_ids"]), enc["attention_mask"])
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)


def test_explaining_does_not_mutate_the_model(tiny_any):
    _, model, tok = tiny_any
    model.train()  # the user's choice: it must be restored
    before = {k: v.clone() for k, v in model.state_dict().items()}
    flags = [p.requires_grad for p in model.parameters()]
    try:
        exps = IntegratedGradients(n_steps=4).explain(load_model(model, tok), TEXTS)
        again = IntegratedGradients(n_steps=4).explain(load_model(model, tok), TEXTS)
        for a, b in zip(exps, again, strict=True):  # eval mode inside: no dropout noise
            np.testing.assert_allclose(a.scores, b.scores, atol=1e-6)
        assert model.training and all(m.training for m in model.modules())
        assert [p.requires_grad for p in model.parameters()] == flags
        for k, v in model.state_dict().items():
            assert torch.equal(v, before[k]), k
        assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    finally:
        model.eval()


def test_tokens_carry_character_offsets(tiny_any):
    _, model, tok = tiny_any
    (exp,) = IntegratedGradients(n_steps=2).explain(load_model(model, tok), TEXTS[0])
    for t in exp.tokens:
        assert exp.text[t.start : t.end] == t.text
    words = [w.text for w in exp.words]
    assert words[:3] == ["The", "movie", "was"] and "memorable" in words


def test_pipeline_and_saved_directory(tmp_path, tiny_bert):
    from transformers import pipeline

    model, tok = tiny_bert
    pipe = pipeline("text-classification", model=model, tokenizer=tok)
    a = IntegratedGradients(n_steps=5).explain(load_model(pipe), TEXTS[0])[0]
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    b = IntegratedGradients(n_steps=5).explain(load_model(str(tmp_path)), TEXTS[0])[0]
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-6)


def test_a_model_without_tokenizer_is_refused(tiny_bert):
    with pytest.raises(ModelError, match="tokenizer"):
        load_model(tiny_bert[0])
