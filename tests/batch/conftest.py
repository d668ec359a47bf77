"""Shared fixtures of the data set tests: a tiny saved model and small input files."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.conftest import tiny_hf


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread: on a busy 2-core machine two threads spin against each other."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    """A tiny seeded BERT classifier saved as a model directory (safetensors)."""
    path = tmp_path_factory.mktemp("tiny_bert")
    model, tok = tiny_hf("bert")
    model.save_pretrained(path)
    tok.save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def small_run(model_dir, tmp_path_factory) -> Path:
    """A finished run: 40 labelled texts, every class explained (120 rows)."""
    from tests.batch.helpers import texts, write_jsonl
    from wordlight.batch import Source, explain_dataset

    tmp = tmp_path_factory.mktemp("small_run")
    labels = ["negative", "positive", "neutral", "positive"]
    records = [{"id": f"s{i}", "text": t, "label": labels[i % 4]} for i, t in enumerate(texts(40))]
    src = Source(file=str(write_jsonl(tmp / "in.jsonl", records)), label_col="label", id_col="id")
    torch.set_num_threads(1)
    explain_dataset(src, str(model_dir), out=tmp / "run", params={"n_steps": 8}, target="all",
                    chunk_size=16)  # fmt: skip
    return tmp / "run"
