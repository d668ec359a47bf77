"""Resumable training state: tensors in safetensors, everything else in JSON (nothing pickled).

A checkpoint folder holds ``weights.safetensors`` (the trainable parameters now),
``best.safetensors`` (those of the best epoch so far), ``optimizer.safetensors`` (AdamW's moment
tensors), ``rng.safetensors`` (torch's global RNG and the batch-order generator) and ``state.json``
(config, epoch, step, history, best metric, scheduler and optimizer scalars, the vocabulary of a
small transformer). It is rewritten after every epoch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from wordlight.errors import ModelError

FILES = ("weights", "best", "optimizer", "rng")


def save_checkpoint(
    folder: str | Path,
    *,
    weights: dict[str, Tensor],
    best: dict[str, Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    generator: torch.Generator,
    state: dict[str, Any],
) -> None:
    from safetensors.torch import save_file

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    opt = optimizer.state_dict()
    opt_tensors: dict[str, Tensor] = {}
    opt_scalars: dict[str, dict[str, Any]] = {}
    for pid, values in opt["state"].items():
        for key, value in values.items():
            if isinstance(value, Tensor):
                opt_tensors[f"{pid}.{key}"] = value
            else:
                opt_scalars.setdefault(str(pid), {})[key] = value
    tensors = {
        "weights": weights,
        "best": best,
        "optimizer": opt_tensors,
        "rng": {"torch": torch.get_rng_state(), "generator": generator.get_state()},
    }
    for name, group in tensors.items():
        save_file({k: v.detach().cpu().contiguous().clone() for k, v in group.items()},
                  str(out / f"{name}.safetensors"))  # fmt: skip
    record = {
        **state,
        "optimizer": {"param_groups": opt["param_groups"], "scalars": opt_scalars},
        "scheduler": {k: v for k, v in scheduler.state_dict().items() if k != "lr_lambdas"},
    }
    tmp = out / "state.json.tmp"
    tmp.write_text(json.dumps(record, indent=1, default=_jsonable) + "\n")
    tmp.replace(out / "state.json")  # state.json last: a half-written checkpoint has none


def load_checkpoint(folder: str | Path) -> tuple[dict[str, Any], dict[str, dict[str, Tensor]]]:
    """``(state, tensors)``; ModelError with one line for a missing, corrupt or truncated one."""
    from safetensors.torch import load_file

    path = Path(folder)
    if not (path / "state.json").is_file():
        raise ModelError(f"no checkpoint in {path} (state.json missing); train without --resume")
    try:
        state = json.loads((path / "state.json").read_text())
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path / 'state.json'} is not readable JSON ({exc}); delete it") from None
    tensors: dict[str, dict[str, Tensor]] = {}
    for name in FILES:
        file = path / f"{name}.safetensors"
        try:
            tensors[name] = load_file(str(file))
        except Exception as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"checkpoint file {file} is missing, corrupt or truncated ({first}); "
                "delete the checkpoint folder and train again"
            ) from None
    return state, tensors


def restore(
    state: dict[str, Any],
    tensors: dict[str, dict[str, Tensor]],
    *,
    params: dict[str, Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    generator: torch.Generator,
) -> dict[str, Tensor]:
    """Load the checkpoint into the run's parameters, optimizer, scheduler and RNGs (checking it
    was made for this architecture); returns the best-epoch weights."""
    check_same_parameters(tensors["weights"], params, "checkpoint")
    with torch.no_grad():
        for name, param in params.items():
            param.copy_(tensors["weights"][name])
    opt_state: dict[int, dict[str, Any]] = {}
    for key, value in tensors["optimizer"].items():
        pid, _, field = key.partition(".")
        opt_state.setdefault(int(pid), {})[field] = value
    for pid, values in state["optimizer"]["scalars"].items():
        opt_state.setdefault(int(pid), {}).update(values)
    try:
        optimizer.load_state_dict(
            {"state": opt_state, "param_groups": state["optimizer"]["param_groups"]}
        )
    except (ValueError, KeyError) as exc:
        raise ModelError(
            f"the checkpoint's optimizer state does not fit this model: {exc}"
        ) from None
    scheduler.load_state_dict({**scheduler.state_dict(), **state["scheduler"]})
    torch.set_rng_state(tensors["rng"]["torch"])
    generator.set_state(tensors["rng"]["generator"])
    return {k: v.to(params[k].device) for k, v in tensors["best"].items()}


def check_same_parameters(saved: dict[str, Tensor], params: dict[str, Tensor], what: str) -> None:
    """ModelError unless ``saved`` has exactly the parameter names and shapes of ``params``."""
    if set(saved) != set(params):
        extra = sorted(set(saved) - set(params))[:2]
        missing = sorted(set(params) - set(saved))[:2]
        raise ModelError(
            f"the {what} was made for another architecture (unexpected {extra}, missing "
            f"{missing}); resume with the same model and settings, or train afresh"
        )
    for name, param in params.items():
        if tuple(saved[name].shape) != tuple(param.shape):
            raise ModelError(
                f"the {what} was made for another architecture: {name} has shape "
                f"{tuple(saved[name].shape)}, this model {tuple(param.shape)}; train afresh"
            )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Tensor):
        return value.item() if value.numel() == 1 else value.tolist()
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
