"""Bad input: the library raises one WordlightError line; the CLI exits 2 with that line."""

from __future__ import annotations

import math

import pytest
import torch

from tests.conftest import tiny_hf
from wordlight import (
    InputError,
    IntegratedGradients,
    ModelError,
    TargetError,
    explain,
    load_model,
    make_explainer,
)


@pytest.fixture(scope="module")
def clf():
    return load_model(*tiny_hf("bert"))


@pytest.mark.parametrize("texts", ["", "   \n\t", ["fine", ""], []])
def test_empty_text(clf, texts):
    with pytest.raises(InputError, match=r"empty|no texts"):
        IntegratedGradients(n_steps=2).explain(clf, texts)


def test_unknown_method_lists_the_valid_ones(clf):
    with pytest.raises(InputError, match="integrated_gradients") as info:
        explain(clf, "good", method="lime2")
    assert "\n" not in str(info.value)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(InputError, match="n_steps"):
        make_explainer("integrated_gradients", steps=3)


@pytest.mark.parametrize("target", ["happy", 3, -1])
def test_unknown_target_lists_the_labels(clf, target):
    with pytest.raises(TargetError, match=r"'negative'.*'positive'"):
        IntegratedGradients(n_steps=2).explain(clf, "good", target=target)


@pytest.mark.parametrize("bad", [0, -3, "many", 2.5])
def test_invalid_steps(bad):
    with pytest.raises(InputError, match="n_steps"):
        IntegratedGradients(n_steps=bad)


def test_missing_model_dir(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(str(tmp_path / "nope"))


def test_directory_that_is_not_a_classifier(tmp_path):
    from transformers import BertConfig, BertModel

    BertModel(BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=8)).save_pretrained(tmp_path)  # fmt: skip
    with pytest.raises(ModelError, match="not a text classifier"):
        load_model(str(tmp_path))
    (tmp_path / "config.json").unlink()
    with pytest.raises(ModelError, match=r"no config\.json"):
        load_model(str(tmp_path))


class _Booby:
    """Unpickling this creates a file: proof that a pickle was opened."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def test_pickled_weights_are_refused_unopened(tmp_path):
    import pickle

    model, tok = tiny_hf("bert")
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    assert load_model(str(tmp_path)).labels == tuple(model.config.id2label.values())
    (tmp_path / "model.safetensors").unlink()
    marker = tmp_path / "unpickled"
    (tmp_path / "pytorch_model.bin").write_bytes(pickle.dumps(_Booby(str(marker))))
    with pytest.raises(ModelError, match=r"no \.safetensors weights \(pytorch_model\.bin\)"):
        load_model(str(tmp_path))
    assert not marker.exists()
    pickle.loads((tmp_path / "pytorch_model.bin").read_bytes())  # the trap is real
    assert marker.exists()


def test_tokenizer_model_mismatch():
    model, _ = tiny_hf("bert")
    _, bigger_tok = tiny_hf("roberta")  # 400 tokens vs the model's ~45 embedding rows
    with pytest.raises(ModelError, match="mismatch"):
        load_model(model, bigger_tok)


def test_nan_logits():
    model, tok = tiny_hf("bert", seed=5)
    with torch.no_grad():
        model.classifier.bias.fill_(math.nan)
    with pytest.raises(ModelError, match="NaN"):
        IntegratedGradients(n_steps=2).explain(load_model(model, tok), "good")


def test_mask_baseline_without_mask_token(linear_model):
    clf, module, tok = linear_model
    no_mask = type(clf)(forward=module.forward_embeddings, embedding=module.embedding,
                        tokenize=tok, labels=["a", "b"], mask_id=None)  # fmt: skip
    with pytest.raises(InputError, match="no mask token"):
        IntegratedGradients(n_steps=2, baseline="mask").explain(no_mask, "good")
