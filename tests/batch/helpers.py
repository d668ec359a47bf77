"""Helpers of the data set tests: small inputs and the CLI in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORDS = "the movie was good bad great awful not very fun boring plot acting charm".split()


def texts(n: int, seed: int = 0) -> list[str]:
    """n different short texts of varied length from the fixture vocabulary."""
    import random

    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(2 + (i * 7) % 13)) for i in range(n)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def cli(
    *args: str, check: bool = True, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run the wordlight CLI in a fresh process (one torch thread); ``env`` replaces the
    environment (default: :func:`cli_env`)."""
    proc = subprocess.run(
        [sys.executable, "-m", "wordlight.cli.main", *args],
        capture_output=True, text=True, env=env or cli_env(), timeout=600,
    )  # fmt: skip
    if check and proc.returncode != 0:
        raise AssertionError(proc.stderr)
    return proc


def cli_env() -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    return env
