"""Tiny, seeded models built offline from configs: the fixtures every test shares."""

from __future__ import annotations

import os

import pytest
import torch
from torch import nn

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

WORDS = tuple(
    "the a movie film is was good great bad awful not very charm boring fun plot acting "
    "to make it has more than enough and but this with".split()
)
PIECES = ["memor", "##able", "##s", "##ly", ".", ",", "!", "'"]
BERT_VOCAB = {
    t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *WORDS, *PIECES])
}
LABELS = {0: "negative", 1: "neutral", 2: "positive"}
TEXTS = [
    "The movie was memorable, not boring!",
    "a bad plot",
    "Great acting and a fun film with more than enough charm.",
    "awful",
]


def bert_tokenizer():
    from transformers import BertTokenizerFast

    tok = BertTokenizerFast(vocab=BERT_VOCAB)
    ids = tok("memorable movie", add_special_tokens=False)["input_ids"]
    assert tok.unk_token_id not in ids, "fixture vocabulary not used by the tokenizer"
    return tok


def bpe_tokenizer():
    from tokenizers import ByteLevelBPETokenizer
    from tokenizers.processors import RobertaProcessing
    from transformers import PreTrainedTokenizerFast

    bpe = ByteLevelBPETokenizer()
    corpus = [t.lower() for t in TEXTS] + TEXTS + [" ".join(WORDS)] * 3
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe.train_from_iterator(corpus, vocab_size=400, min_frequency=1, special_tokens=specials)
    bpe._tokenizer.post_processor = RobertaProcessing(
        ("</s>", bpe.token_to_id("</s>")), ("<s>", bpe.token_to_id("<s>")), trim_offsets=True
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        mask_token="<mask>",
        cls_token="<s>",
        sep_token="</s>",
    )


def tiny_hf(arch: str, seed: int = 0):
    """(model, tokenizer) of a randomly initialised, seeded tiny classifier."""
    import transformers as tf

    torch.manual_seed(seed)
    common = dict(num_labels=3, id2label=LABELS, label2id={v: k for k, v in LABELS.items()})
    if arch == "roberta":
        tok = bpe_tokenizer()
        cfg = tf.RobertaConfig(
            vocab_size=len(tok), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
            intermediate_size=32, max_position_embeddings=80, pad_token_id=tok.pad_token_id,
            bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id, **common,
        )  # fmt: skip
        model = tf.RobertaForSequenceClassification(cfg)
    else:
        tok = bert_tokenizer()
        size = dict(vocab_size=len(BERT_VOCAB), max_position_embeddings=64, **common)
        if arch == "bert":
            cfg = tf.BertConfig(hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                                intermediate_size=32, **size)  # fmt: skip
            model = tf.BertForSequenceClassification(cfg)
        elif arch == "distilbert":
            cfg = tf.DistilBertConfig(dim=16, n_layers=2, n_heads=2, hidden_dim=32, **size)
            model = tf.DistilBertForSequenceClassification(cfg)
        elif arch == "electra":
            cfg = tf.ElectraConfig(embedding_size=8, hidden_size=16, num_hidden_layers=2,
                                   num_attention_heads=2, intermediate_size=32, **size)  # fmt: skip
            model = tf.ElectraForSequenceClassification(cfg)
        else:
            raise ValueError(arch)
    model.eval()
    return model, tok


ARCHS = ("bert", "distilbert", "roberta", "electra")


@pytest.fixture(scope="session")
def tiny_bert():
    return tiny_hf("bert")


@pytest.fixture(scope="session", params=ARCHS)
def tiny_any(request):
    return request.param, *tiny_hf(request.param)


class LinearBag(nn.Module):
    """logits_c = sum_t mask_t * (E[id_t] . W_c) + b_c: IG has a closed form on it."""

    def __init__(self, vocab: int = 40, dim: int = 6, classes: int = 2, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.embedding = nn.Embedding(vocab, dim)
        self.embedding.weight.data = torch.randn(vocab, dim, generator=g)
        self.head = nn.Linear(dim, classes)
        self.head.weight.data = torch.randn(classes, dim, generator=g)
        self.head.bias.data = torch.randn(classes, generator=g)

    def forward_embeddings(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pooled = (x * mask.unsqueeze(-1).to(x.dtype)).sum(1)
        return pooled @ self.head.weight.T + self.head.bias


def linear_bag_classifier():
    """The LinearBag over WORDS as a TorchClassifier: (classifier, module, tokenizer)."""
    from wordlight import TorchClassifier, WhitespaceTokenizer

    vocab = {"[pad]": 0, "[unk]": 1, "[cls]": 2, "[mask]": 3}
    vocab.update({w: i + 4 for i, w in enumerate(WORDS)})
    module = LinearBag(vocab=len(vocab))
    tok = WhitespaceTokenizer(vocab, unk_id=1)
    clf = TorchClassifier(
        forward=module.forward_embeddings,
        embedding=module.embedding,
        tokenize=tok,
        labels=["neg", "pos"],
        pad_id=0,
        mask_id=3,
        prefix_ids=[2],
        module=module,
        id_to_token=tok.id_to_token,
    )
    return clf, module, tok


@pytest.fixture()
def linear_model():
    return linear_bag_classifier()


def two_heads() -> dict:
    """{"reg": a regression BERT, "ml": a 3-label multi-label BERT}, as (model, tokenizer)."""
    return {
        "reg": tiny_bert_head("regression", 1, seed=5),
        "ml": tiny_bert_head("multi_label_classification", 3, seed=6),
    }


def raw_outputs(pair, text: str):
    """The head's raw outputs (logits or value) of one text, as float64 numpy."""
    model, tok = pair
    with torch.no_grad():
        return model(**tok(text, return_tensors="pt")).logits[0].double().numpy()


def pad_baseline(tok, text: str):
    """``(input_ids, attention_mask, baseline_ids, special)`` of one text: the baseline keeps the
    special tokens (``special``, a bool mask) and puts [PAD] everywhere else (what wordlight's
    ``baseline="pad"`` does), for reference runs of Captum."""
    enc = tok(text, return_tensors="pt")
    ids, mask = enc["input_ids"], enc["attention_mask"]
    special = torch.tensor(
        tok.get_special_tokens_mask(ids[0].tolist(), already_has_special_tokens=True)
    )
    baseline = torch.where(special.bool(), ids[0], torch.tensor(tok.pad_token_id)).unsqueeze(0)
    return ids, mask, baseline, special.bool()


def bendy_bert(seed: int, num_labels: int = 2):
    """(model, tokenizer): a tiny BERT with large weights (initializer_range 0.5): its softmax
    bends sharply along the IG path and token scores of opposite sign cancel in the sum (the hard
    case for ``n_steps="auto"``)."""
    import transformers as tf

    torch.manual_seed(seed)
    cfg = tf.BertConfig(
        vocab_size=len(BERT_VOCAB), max_position_embeddings=64, hidden_size=16,
        num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, num_labels=num_labels,
        initializer_range=0.5,
    )  # fmt: skip
    return tf.BertForSequenceClassification(cfg).eval(), bert_tokenizer()


def tiny_bert_head(problem_type: str | None, num_labels: int, seed: int = 0):
    """(model, tokenizer): a seeded tiny BERT whose config says what its head means."""
    import transformers as tf

    torch.manual_seed(seed)
    labels = {i: f"label_{i}" for i in range(num_labels)}
    cfg = tf.BertConfig(
        vocab_size=len(BERT_VOCAB), max_position_embeddings=64, hidden_size=16,
        num_hidden_layers=2, num_attention_heads=2, intermediate_size=32, num_labels=num_labels,
        id2label=labels, label2id={v: k for k, v in labels.items()}, problem_type=problem_type,
        initializer_range=0.3,  # outputs that move with the words (the default 0.02 barely does)
    )  # fmt: skip
    model = tf.BertForSequenceClassification(cfg)
    model.eval()
    return model, bert_tokenizer()
