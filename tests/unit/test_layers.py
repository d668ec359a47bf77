"""Layer access on the four tiny encoders: the split path equals the model's own computation."""

from __future__ import annotations

import pytest
import torch

from tests.conftest import ARCHS, TEXTS, tiny_hf
from wordlight import InputError, ModelError
from wordlight.models.huggingface import HuggingFaceClassifier
from wordlight.models.protocol import LayeredClassifier


@pytest.fixture(scope="module", params=ARCHS)
def arch_model(request):
    model, tok = tiny_hf(request.param)
    return HuggingFaceClassifier(model, tok), model, tok


def _padded(tok):
    enc = tok(TEXTS, padding=True, return_tensors="pt")
    return enc["input_ids"], enc["attention_mask"]


def test_every_hidden_state_and_the_logits_equal_the_models_own(arch_model):
    clf, model, tok = arch_model
    ids, mask = _padded(tok)  # ragged texts: padding on every row but the longest
    real = mask.bool()
    with torch.no_grad():
        ref = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        h0 = clf.embedding_output(ids)
        assert isinstance(clf, LayeredClassifier) and clf.n_layers == len(ref.hidden_states) - 1
        torch.testing.assert_close(h0, ref.hidden_states[0], rtol=1e-5, atol=1e-6)
        for k in range(1, clf.n_layers + 1):
            hk = clf.hidden_state(h0, mask, k)
            torch.testing.assert_close(hk[real], ref.hidden_states[k][real], rtol=1e-5, atol=1e-6)
        last = clf.hidden_state(h0, mask, -1)
        torch.testing.assert_close(
            clf.logits_from_hidden(last, mask), ref.logits, rtol=1e-5, atol=1e-6
        )


def test_running_from_a_middle_layer_composes(arch_model):
    clf, _, tok = arch_model
    ids, mask = _padded(tok)
    with torch.no_grad():
        h0 = clf.embedding_output(ids)
        h1 = clf.hidden_state(h0, mask, 1)
        direct = clf.hidden_state(h0, mask, 2)
        resumed = clf.hidden_state(h1, mask, 2, from_layer=1)
    torch.testing.assert_close(resumed, direct)
    assert clf.hidden_state(h1, mask, 1, from_layer=1) is h1  # no layers to run


def test_layer_path_does_not_touch_the_model(arch_model):
    clf, model, tok = arch_model
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hooks = [(len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()]
    model.train()
    ids, mask = _padded(tok)
    with clf.evaluating(), torch.no_grad():
        clf.hidden_state(clf.embedding_output(ids), mask, -1)
    assert model.training and all(m.training for m in model.modules())
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert hooks == [(len(m._forward_hooks), len(m._forward_pre_hooks)) for m in model.modules()]
    model.eval()


def test_layers_out_of_range_list_the_valid_ones(tiny_bert):
    clf = HuggingFaceClassifier(*tiny_bert)
    assert clf.check_layer(-1) == 2 and clf.check_layer(1) == 1
    for bad in (3, -3, 0):
        with pytest.raises(InputError, match=r"choose 1\.\.2") as info:
            clf.check_layer(bad)
        assert "\n" not in str(info.value)


def test_a_model_without_encoder_layers_says_so(tiny_bert):
    import transformers as tf

    _, tok = tiny_bert
    cfg = tf.GPT2Config(vocab_size=len(tok), n_embd=8, n_layer=1, n_head=2, num_labels=2)
    gpt2 = tf.GPT2ForSequenceClassification(cfg)
    clf = HuggingFaceClassifier(gpt2, tok)  # fine for gradient methods ...
    with pytest.raises(ModelError, match=r"has no encoder layers .* supports: bert"):
        _ = clf.n_layers  # ... but has no layer path
