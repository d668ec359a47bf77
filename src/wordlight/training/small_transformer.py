"""The small transformer classifier, built right: a 2-layer, 2-head BERT (embedding 128,
feed-forward 512) from scratch, with learned position embeddings, padding masks, [CLS] pooling
(BERT's pooler) and dropout, over its own WordPiece vocabulary trained with ``tokenizers``.

It is a plain ``BertForSequenceClassification`` with a ``BertTokenizerFast``, so it saves in
Hugging Face format (safetensors) and ``wordlight.load_model(dir)`` explains it like any BERT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wordlight.errors import DataError
from wordlight.training.config import TrainConfig

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def train_wordpiece(texts: Sequence[str], vocab_size: int, min_frequency: int = 2) -> Any:
    """A lower-casing ``BertTokenizerFast`` whose WordPiece vocabulary (at most ``vocab_size``
    entries, the special tokens first) is learned from ``texts``."""
    from tokenizers.implementations import BertWordPieceTokenizer
    from tokenizers.normalizers import BertNormalizer
    from tokenizers.pre_tokenizers import BertPreTokenizer

    trainer = BertWordPieceTokenizer(lowercase=True)
    # ``tokenizers`` gives each "##c" piece an id in hash-map order, and ties between equally
    # frequent merges are broken by those ids, so the learned vocabulary changed from run to run
    # on small corpora. Registering every "##c" up front, sorted, fixes the ids and the merges.
    normalizer, splitter = BertNormalizer(lowercase=True), BertPreTokenizer()  # as the trainer's
    tails = {
        char
        for text in texts
        for word, _ in splitter.pre_tokenize_str(normalizer.normalize_str(text))
        for char in word[1:]
    }
    trainer.train_from_iterator(
        iter(list(texts)),
        vocab_size=vocab_size,
        min_frequency=min_frequency,
        special_tokens=[*SPECIAL_TOKENS, *(f"##{c}" for c in sorted(tails))],
        show_progress=False,
    )
    # Renumbered: the special tokens first, then the rest sorted (the "##c" pieces are plain
    # vocabulary entries of the saved tokenizer, not special tokens).
    learned = sorted(t for t in trainer.get_vocab() if t not in SPECIAL_TOKENS)
    tokenizer = wordpiece_tokenizer({t: i for i, t in enumerate([*SPECIAL_TOKENS, *learned])})
    probe = next((t for t in texts if t.strip()), "")
    ids = tokenizer(probe, add_special_tokens=False)["input_ids"]
    if not ids or all(i == tokenizer.unk_token_id for i in ids):
        raise DataError("the trained WordPiece vocabulary does not cover the training texts")
    return tokenizer


def wordpiece_tokenizer(vocab: dict[str, int]) -> Any:
    """A lower-casing ``BertTokenizerFast`` over ``vocab`` (transformers 5 ignores
    ``vocab_file=``, so the vocabulary is passed as a dict)."""
    import transformers

    return transformers.BertTokenizerFast(vocab=vocab, do_lower_case=True)  # type: ignore[attr-defined]


def build_small_model(
    config: TrainConfig, tokenizer: Any, n_outputs: int, id2label: dict[int, str]
) -> Any:
    """A freshly initialised ``BertForSequenceClassification`` sized by ``config``."""
    from transformers import BertConfig, BertForSequenceClassification

    bert = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=config.hidden_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        intermediate_size=config.intermediate_size,
        hidden_dropout_prob=config.dropout,
        attention_probs_dropout_prob=config.dropout,
        max_position_embeddings=max(config.max_length, 8),
        pad_token_id=tokenizer.pad_token_id,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    if bert.num_labels != n_outputs:
        raise DataError(f"the head needs {n_outputs} outputs, id2label names {bert.num_labels}")
    return BertForSequenceClassification(bert)
