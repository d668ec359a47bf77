"""The ordinal loss end to end on synthetic ASAP essays (the Kaggle TSV format, built in the test):
`wordlight train --data essays --loss ordinal`, then `wordlight evaluate` beside the baselines."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from wordlight.cli.main import main

pytest.importorskip("transformers")
pytest.importorskip("sklearn")
pytest.importorskip("matplotlib")

TRAITS = [f"rater{r}_trait{t}" for t in range(1, 7) for r in range(1, 4)]
HEADER = [
    "essay_id", "essay_set", "essay", "rater1_domain1", "rater2_domain1", "rater3_domain1",
    "domain1_score", "rater1_domain2", "rater2_domain2", "domain2_score", *TRAITS,
]  # fmt: skip
# Essay set 1 scores 1..8 -> 4 equal-frequency bins [1, 2], [3, 4], [5, 6], [7, 8] (docs/data.md);
# each essay carries one word of its bin among filler words.
LEVEL_WORDS = (("weak", "poor"), ("plain", "basic"), ("solid", "clear"), ("superb", "brilliant"))
FILLER = ("dear", "@caps1", "the", "computer", "people", "think", "that", "because", "we", "and")


def write_essays(path: Path, per_score: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["\t".join(HEADER)]
    for essay_id, score in enumerate(s for s in range(1, 9) for _ in range(per_score)):
        words = [*rng.choice(FILLER, size=6), str(rng.choice(LEVEL_WORDS[(score - 1) // 2]))]
        rng.shuffle(words)
        cells = [str(essay_id + 1), "1", " ".join(words), "", "", "", str(score)]
        lines.append("\t".join(cells + [""] * (len(HEADER) - len(cells))))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return path


def test_ordinal_training_on_synthetic_essays_beats_the_majority_class(tmp_path: Path) -> None:
    essays = write_essays(tmp_path / "training_set_rel3.tsv", per_score=40, seed=0)
    data = ["--data", "essays", "--path", str(essays)]
    model = tmp_path / "model"
    settings = [
        "--loss", "ordinal", "--vocab-size", "120", "--hidden-size", "32",
        "--intermediate-size", "64", "--num-layers", "1", "--dropout", "0", "--epochs", "6",
        "--learning-rate", "1e-2", "--max-length", "16", "--batch-size", "16",
        "--early-stopping-metric", "mae", "--quiet",
    ]  # fmt: skip
    assert main(["train", *data, "--out", str(model), *settings]) == 0
    config = json.loads((model / "config.json").read_text())
    assert len(config["id2label"]) == 3  # K - 1 = 3 threshold outputs for 4 bins
    assert config["wordlight_head"] == "ordinal" and len(config["wordlight_labels"]) == 4
    out = tmp_path / "eval"
    assert main(["evaluate", str(model), *data, "--split", "test", "--out", str(out)]) == 0
    report = json.loads((out / "metrics.json").read_text())
    assert report["head"] == "ordinal" and report["labels"] == config["wordlight_labels"]
    majority = report["baselines"]["majority_class"]
    assert report["model"]["accuracy"] >= 0.8 > majority["accuracy"] + 0.3
    assert report["model"]["mae"] < majority["mae"]
