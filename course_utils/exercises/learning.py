"""Checks for the exercises of chapter 5.4b: one training step, and pixels shuffled out of place."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from course_utils.exercises.base import CheckResult, answer_problem, describe, run_answer

#: Seconds a learner's function may run in one check.
STEP_SECONDS = 30


def _tiny_problem(seed: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 8 * 8, 10))
    g = torch.Generator().manual_seed(seed)
    return model, torch.rand(12, 1, 8, 8, generator=g), torch.randint(0, 10, (12,), generator=g)


def check_training_step(fn: Callable) -> CheckResult:
    """Check ``fn(model, optimiser, images, labels) -> float``: one forward–loss–backward–step update.

    Two copies of a new small CNN start from the same weights; one is trained
    three steps with ``fn``, the other with the course's step (cross-entropy,
    ``zero_grad``, ``backward``, ``step``, Adam). The returned losses and the
    weights after the three steps must agree.

    Parameters
    ----------
    fn : callable

    Returns
    -------
    CheckResult
    """
    yours, images, labels = _tiny_problem(seed=7)
    reference, _, _ = _tiny_problem(seed=7)
    optimisers = [torch.optim.Adam(m.parameters(), lr=0.01) for m in (yours, reference)]
    for step in range(1, 4):
        before = [p.detach().clone() for p in yours.parameters()]
        loss = F.cross_entropy(reference(images), labels)
        optimisers[1].zero_grad()
        loss.backward()
        optimisers[1].step()
        expected = loss.item()
        got, failed = run_answer("training step", STEP_SECONDS, fn, yours, optimisers[0], images, labels)
        if failed is not None:
            return failed
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = float(got.detach())
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return CheckResult(False, f"expected the loss as a float, got {describe(got)}; return loss.item().")
        if not np.isclose(got, expected, rtol=1e-4, atol=1e-6):
            return CheckResult(False, f"at step {step} your loss is {got:.4f}, expected {expected:.4f}: return "
                                      "F.cross_entropy(model(images), labels), computed before the update.")
        with torch.no_grad():
            if all(torch.equal(a, b) for a, b in zip(yours.parameters(), before)):
                return CheckResult(False, f"at step {step} the weights did not change: call optimiser.step() "
                                          "after loss.backward().")
            gap = max(float((a - b).abs().max()) for a, b in zip(yours.parameters(), reference.parameters()))
        if gap > 1e-5:
            return CheckResult(False, f"after step {step} your weights differ from the course's by up to {gap:.2g}: "
                                      "call optimiser.zero_grad() before loss.backward(), or the gradients of "
                                      "earlier steps add up.")
    return CheckResult(True, "your step gives the course's losses and, after 3 steps, the same weights "
                             "(forward, loss, zero_grad, backward, step).")


def _kept_neighbours(order: np.ndarray) -> int:
    """How many of the 8 × 8 grid's 112 pairs of side-by-side pixels are side by side after ``images[:, order]``."""
    position = np.empty(64, dtype=int)
    position[order] = np.arange(64)                     # where each input pixel lands
    row, col = np.divmod(position.reshape(8, 8), 8)
    pairs = [(row[:, :-1], col[:, :-1], row[:, 1:], col[:, 1:]), (row[:-1], col[:-1], row[1:], col[1:])]
    return int(sum((np.abs(r1 - r2) + np.abs(c1 - c2) == 1).sum() for r1, c1, r2, c2 in pairs))


def check_pixel_shuffle(fn: Callable) -> CheckResult:
    """Check ``fn(images, seed)``: one random permutation of the 64 pixel columns, the same for every image.

    Tried on new images (random values, so that every pixel can be traced):
    the result must keep each image's values, move them (not the identity),
    use one order for all rows, give the same order for the same seed and
    another for another seed, and leave its input unchanged.

    Parameters
    ----------
    fn : callable

    Returns
    -------
    CheckResult
    """
    images = np.random.default_rng(11).random((20, 64))
    original = images.copy()
    if (problem := answer_problem("shuffle", fn, images, 3)) is not None:
        return problem
    results, failed = run_answer("shuffle", STEP_SECONDS,
                                 lambda: (fn(images, 3), fn(images.copy(), 3), fn(images.copy(), 4)))
    if failed is not None:
        return failed
    first, again, other = results
    if not np.array_equal(images, original):
        return CheckResult(False, "your function changed the images passed in; return a shuffled copy instead.")
    results = [np.asarray(r) if isinstance(r, np.ndarray) else r for r in (first, again, other)]
    if not all(isinstance(r, np.ndarray) and r.shape == images.shape for r in results):
        return CheckResult(False, f"expected an array shaped {images.shape}, got {describe(first)}.")
    if not np.array_equal(np.sort(first, axis=1), np.sort(images, axis=1)):
        return CheckResult(False, "some images lost or changed pixel values: only the places may change.")
    order = np.argsort(images[0])[np.argsort(np.argsort(first[0]))]       # where each output pixel came from
    if np.array_equal(order, np.arange(64)):
        return CheckResult(False, "the pixels stay where they were: draw a permutation, e.g. "
                                  "np.random.default_rng(seed).permutation(64).")
    if not np.array_equal(first, images[:, order]):
        return CheckResult(False, "the images are not all shuffled the same way: draw one permutation and "
                                  "apply it to every row (images[:, order]).")
    kept = _kept_neighbours(order)
    if kept > 28:
        return CheckResult(False, f"{kept} of the 112 pairs of side-by-side pixels are still side by side "
                                  "(a random order keeps about 6): a shift or another simple rule is not a "
                                  "shuffle; draw the order with np.random.default_rng(seed).permutation(64).")
    if not np.array_equal(first, again) or np.array_equal(first, other):
        return CheckResult(False, "the order must come from the seed: the same seed gives the same order, "
                                  "another seed another.")
    return CheckResult(True, "one permutation from the seed, the same for every image, every pixel kept.")
