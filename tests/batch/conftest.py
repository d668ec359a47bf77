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
