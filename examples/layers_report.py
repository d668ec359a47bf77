"""What each layer of the default model does with each word: the figures of docs/layers.md.

    python examples/layers_report.py docs/figures/layers           # all figures (a few minutes)
    python examples/layers_report.py /tmp/out --steps 8 --no-information   # quick

Writes, for "Rare Birds has more than enough charm to make it memorable." and a few movie
snippets: report.html (every figure embedded), and PNGs of the Rare Birds heatmaps
(shared scale, per-layer normalised), its per-token distribution, its information curves and
the mean |score| per layer over the snippets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

RARE_BIRDS = "Rare Birds has more than enough charm to make it memorable."
SNIPPETS = (  # all four are snippets of the movies data, verbatim
    RARE_BIRDS,
    "A gorgeous, witty, seductive movie.",
    "It's not a bad premise, just a bad movie.",
    "This is a truly, truly bad movie.",
)


def main(out: str, n_steps: int = 50, information: bool = True) -> list:
    import wordlight
    from wordlight.results import layer_profile
    from wordlight.viz import (
        figure_png,
        information_curves,
        layer_distribution,
        layer_heatmap,
        profile_plot,
        save_layer_report,
    )

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    model = wordlight.load_model("default")
    lig = wordlight.explain_layers(
        model, list(SNIPPETS), "layer_integrated_gradients", n_steps=n_steps, keep_dims=True
    )
    rare = lig[0]
    figures = {
        "rare-birds-heatmap.png": layer_heatmap(rare),
        "rare-birds-heatmap-normalised.png": layer_heatmap(rare, normalise=True),
        "rare-birds-memorable.png": layer_distribution(rare, token="memorable"),
        "snippets-profile.png": profile_plot(layer_profile(lig)),
    }
    results = list(lig)
    if information:
        (info,) = wordlight.explain_layers(model, RARE_BIRDS, "information")
        figures["rare-birds-information.png"] = information_curves(info)
        results.append(info)
    for name, fig in figures.items():
        (folder / name).write_bytes(figure_png(fig))
    save_layer_report(results, folder / "report.html", normalise=True)
    for r in lig:
        print(f"{r.target_label:>8} p={r.probabilities[r.target]:.3f}  {r.text}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="folder for report.html and the PNGs")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--no-information", action="store_true")
    args = parser.parse_args()
    main(args.out, args.steps, not args.no_information)
