"""The raw forward+backward floor of ig_throughput.py: wordlight's own rows, rebuilt from its
per-text point counts and run through plain ``model(inputs_embeds=...)`` calls, no wordlight
code in the timed part."""

from __future__ import annotations

import torch
from _common import Stopwatch

AUTO_LEVELS = tuple(range(5, 514, 2))  # wordlight's adaptive panels: 5 points, then 2 per split


def wordlight_budgets(clf) -> tuple[int, int]:
    """(tokens per forward/backward pass, padded tokens per length bucket) wordlight uses."""
    from wordlight import IntegratedGradients
    from wordlight.methods import base

    ig = IntegratedGradients(n_steps="auto")
    budget = ig.row_budget(clf) if hasattr(ig, "row_budget") else ig.max_batch_tokens
    return budget, max(budget, getattr(base, "GROUP_TOKENS", budget))


def floor_batches(model, tokenizer, texts, steps, targets, row_budget, group_tokens):
    """The (embeddings, mask, targets) passes wordlight's auto mode made, rebuilt from the
    per-text step counts without wordlight code: texts sorted by length into buckets of at most
    ``group_tokens`` padded tokens; per bucket the rows of each refinement round (5 points for every
    text, then 2 new points per round for the texts that needed more), text by text; those
    rows cut into consecutive passes of at most ``row_budget`` tokens, each pass as wide as its
    longest row (the rest of the bucket's padding is not computed)."""
    content = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
    cls, sep, pad = tokenizer.cls_token_id, tokenizer.sep_token_id, tokenizer.pad_token_id
    order = sorted(range(len(texts)), key=lambda i: len(content[i]))
    groups: list[list[int]] = [[]]
    for i in order:
        if groups[-1] and (len(groups[-1]) + 1) * (len(content[i]) + 2) > group_tokens:
            groups.append([])
        groups[-1].append(i)
    emb = model.get_input_embeddings()
    batches = []
    for group in groups:
        width = max(len(content[i]) for i in group) + 2
        ids = torch.full((len(group), width), pad, dtype=torch.long)
        mask = torch.zeros((len(group), width), dtype=torch.long)
        base = ids.clone()
        for row, i in enumerate(group):
            full = [cls, *content[i], sep]
            ids[row, : len(full)] = torch.tensor(full)
            base[row, 0], base[row, len(full) - 1] = cls, sep
            mask[row, : len(full)] = 1
        with torch.no_grad():
            x, x0 = emb(ids), emb(base)
        done = 0
        for level in AUTO_LEVELS:
            todo = [row for row, i in enumerate(group) if steps[i] >= level]
            if not todo:
                break
            k = level - done
            win = torch.tensor(todo).repeat_interleave(k)
            alphas = ((torch.arange(k) + 0.5) / k).repeat(len(todo))  # values do not change cost
            widths = mask[win].sum(1).tolist()
            for sl, w in _passes(widths, row_budget):
                rows, a = win[sl], alphas[sl]
                path = x0[rows, :w] + a.view(-1, 1, 1) * (x[rows, :w] - x0[rows, :w])
                t = torch.tensor([targets[group[r]] for r in rows.tolist()]).view(-1, 1)
                batches.append((path, mask[rows, :w], t))
            done = level
    return batches, len(groups)


def _passes(widths: list[int], budget: int):
    """Consecutive rows, at most ``budget`` tokens a pass counting each pass at its widest row."""
    start, widest = 0, 0
    for end, width in enumerate(widths):
        wider = max(widest, width)
        if end > start and (end - start + 1) * wider > budget:
            yield slice(start, end), widest
            start, wider = end, width
        widest = wider
    if start < len(widths):
        yield slice(start, len(widths)), widest


def time_floor(model, batches, label: str = "floor") -> float:
    """Plain model(inputs_embeds=...) -> softmax -> autograd.grad w.r.t. the embeddings."""
    with Stopwatch(label) as sw:
        for path, mask, t in batches:
            x = path.detach().requires_grad_(True)
            probs = torch.softmax(model(inputs_embeds=x, attention_mask=mask).logits, -1)
            torch.autograd.grad(probs.gather(1, t).sum(), x)
    return sw.seconds
