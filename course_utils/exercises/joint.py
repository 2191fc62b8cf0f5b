"""Checks for chapter 5.6 (one space for words, pictures and sounds)."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.exercises.base import CheckResult, run_answer
from course_utils.joint import data as cd
from course_utils.joint.contrastive import symmetric_info_nce, zero_shot_accuracy
from course_utils.validation import check_scalar

#: Seconds a learner's loss (all four batches) and a learner's embedding functions may run before a check stops them.
LOSS_SECONDS, EMBEDDING_SECONDS = 30, 300

#: (batch size, dimension, temperature, seed) of the batches a loss is tried on.
_LOSS_CASES = ((6, 8, 0.1, 1), (1, 4, 0.07, 2), (9, 3, 1.0, 3), (5, 16, 0.001, 4))


def _pair(n: int, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    a = F.normalize(torch.randn(n, d, generator=g), dim=-1)
    b = F.normalize(a + 0.8 * torch.randn(n, d, generator=g), dim=-1)   # related but not equal: a ≠ b
    return a, b


def _one_way(a: torch.Tensor, b: torch.Tensor, t: float) -> torch.Tensor:
    return F.cross_entropy(a @ b.T / t, torch.arange(len(a)))


def _diagnose(value: float, a: torch.Tensor, b: torch.Tensor, t: float, expected: float) -> str:
    """What a wrong loss most likely did, judged by which common mistake reproduces it."""
    def near(x):
        return abs(value - float(x)) <= 1e-4 * max(1.0, abs(float(x)))

    if near(_one_way(a, b, t)) or near(_one_way(b, a, t)):
        return ("it equals the cross-entropy of one direction only: add the other direction "
                "(the transposed logits, captions → pictures) and average the two.")
    if near(2 * expected):
        return "it is twice the expected value: average the two directions instead of adding them."
    if near(symmetric_info_nce(a, b, 1.0)) or near(symmetric_info_nce(a, b, 1.0 / t)):
        return "it ignores or multiplies by the temperature: divide the similarities by the temperature."
    return "compare your logits with a @ b.T / temperature and your targets with torch.arange(N)."


def check_info_nce(fn: Callable) -> CheckResult:
    """Check a hand-written symmetric InfoNCE loss against the course's on new batches.

    ``fn(a, b, temperature)`` is called on four batches of unit-length
    embeddings: six pairs at temperature 0.1, a batch of a single pair (whose
    loss must be 0), nine pairs at temperature 1, and five pairs at
    temperature 0.001, where the logits reach ±1000 and a naive
    ``exp`` overflows. Each result must match
    :func:`course_utils.joint.contrastive.symmetric_info_nce`.

    Parameters
    ----------
    fn : callable
        ``fn(a, b, temperature) -> scalar tensor``.

    Returns
    -------
    CheckResult
    """
    for n, d, t, seed in _LOSS_CASES:
        a, b = _pair(n, d, seed)
        expected = float(symmetric_info_nce(a, b, t))
        got, failed = run_answer("loss function", LOSS_SECONDS, lambda: fn(a.clone(), b.clone(), t))
        if failed is not None:
            return failed
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            value = float(got.detach())
        elif isinstance(got, (int, float, np.floating, np.integer)) and not isinstance(got, bool):
            value = float(got)
        else:
            return CheckResult(False, f"expected one number (a 0-d tensor), got {type(got).__name__} "
                                      f"{tuple(getattr(got, 'shape', ()))}; average over the batch.")
        where = f"{n} pair{'s' if n > 1 else ''} at temperature {t:g}"
        if not np.isfinite(value):
            return CheckResult(False, f"on {where} your loss is {value}, the course's {expected:.3f}: the "
                                      "logits reach ±1000 and exp() overflows. Use F.cross_entropy (or "
                                      "torch.logsumexp), which subtracts the largest logit first.")
        if abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
            return CheckResult(False, f"on {where} your loss is {value:.4f}, expected {expected:.4f}: "
                                      + _diagnose(value, a, b, t, expected))
    return CheckResult(True, "your loss matches course_utils.joint.contrastive.symmetric_info_nce on 4 new batches, "
                             "including one pair alone (loss 0) and logits of ±1000 (temperature 0.001).")


#: The colour labels of a shop's catalogue, none of them a word of the training captions, and what they mean.
CATALOGUE_COLOURS = {"crimson": "red", "emerald": "green", "navy": "blue", "gold": "yellow"}


def _catalogue_accuracy(prompts: Mapping[str, Sequence[str]], pictures: np.ndarray, scenes: Sequence[cd.Scene],
                        embed_text: Callable) -> tuple[float, np.ndarray]:
    labels = list(CATALOGUE_COLOURS)
    vectors = np.stack([np.asarray(embed_text(list(prompts[label])), dtype=np.float64).mean(axis=0)
                        for label in labels])
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    meaning = {colour: label for label, colour in CATALOGUE_COLOURS.items()}
    truth = np.array([labels.index(meaning[s.colour]) for s in scenes])
    return zero_shot_accuracy(pictures, vectors, truth), vectors


def check_prompt_set(prompts: Mapping[str, Sequence[str]], embed_pictures: Callable, embed_text: Callable,
                     target: float = 0.8, seed: int = 7) -> CheckResult:
    """Check prompts that classify pictures by a catalogue's colour labels the model has never read.

    The labels are ``"crimson"``, ``"emerald"``, ``"navy"`` and ``"gold"``
    (:data:`CATALOGUE_COLOURS`). Each label's prompts are embedded and
    averaged (prompt ensembling); the 72 scenes of the held-out colour–shape
    pairs are drawn anew with ``seed`` and each gets the label whose vector
    is most similar. The prompts pass when they reach ``target``; the
    message compares them with the bare prompts ``"a photo of a {label}"``.

    Parameters
    ----------
    prompts : mapping of str to list of str
        For each of the four labels, one or more prompts (full captions).
    embed_pictures : callable
        ``embed_pictures(uint8 array (N, H, W, 3)) -> (N, D)`` unit vectors in the joint space.
    embed_text : callable
        ``embed_text(list of str) -> (M, D)`` unit vectors in the joint space.
    target : float
        Accuracy to reach, in (0, 1] (chance is 0.25).
    seed : int
        Seed of the new drawings.

    Returns
    -------
    CheckResult

    Raises
    ------
    TypeError, ValueError
        If ``target`` is not a number in (0, 1].
    """
    target = check_scalar(target, "target", float, min_val=0.0, max_val=1.0, include_boundaries="right")
    labels = list(CATALOGUE_COLOURS)
    if not isinstance(prompts, Mapping) or sorted(prompts) != sorted(labels):
        got = sorted(prompts) if isinstance(prompts, Mapping) else type(prompts).__name__
        return CheckResult(False, f"expected a dict with one entry per catalogue label {labels}, got {got}.")
    for label, texts in prompts.items():
        if isinstance(texts, str) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            return CheckResult(False, f"expected a non-empty list of prompt strings for {label!r}, got {texts!r}.")
    _, unseen = cd.split_by_combination(cd.all_scenes())
    def measure():
        pictures = np.asarray(embed_pictures(cd.render_scenes(unseen, seed=seed)), dtype=np.float64)
        yours, vectors = _catalogue_accuracy(prompts, pictures, unseen, embed_text)
        bare, _ = _catalogue_accuracy({label: [f"a photo of a {label}"] for label in labels}, pictures, unseen,
                                      embed_text)
        return yours, vectors, bare

    measured, failed = run_answer("embedding functions", EMBEDDING_SECONDS, measure)
    if failed is not None:
        return failed
    yours, vectors, bare = measured
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if np.allclose(vectors[labels.index(a)], vectors[labels.index(b)], atol=1e-6):
                return CheckResult(False, f"{a!r} and {b!r} get the same vector: their prompts differ only in "
                                          "words the tokenizer drops (never seen in a training caption). Describe "
                                          "each colour with words the captions use.")
    scores = (f"{yours:.2f} on {len(unseen)} newly drawn held-out pictures (the bare prompts "
              f"'a photo of a {{label}}': {bare:.2f}; chance 0.25)")
    if yours >= target:
        return CheckResult(True, f"your prompts reach {scores}.")
    return CheckResult(False, f"your prompts reach {scores}; the target is {target:.2f}. Which caption word does "
                              "each catalogue colour correspond to?")
