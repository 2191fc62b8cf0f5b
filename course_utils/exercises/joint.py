"""Checks for chapter 5.6 (pictures and sounds, each aligned with words)."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F

from course_utils.exercises.base import CheckResult, answer_problem, run_answer
from course_utils.joint import data as cd
from course_utils.joint.contrastive import zero_shot_accuracy
from course_utils.validation import check_scalar

#: Seconds a learner's loss (all its batches) and a learner's embedding functions may run before a check stops them.
LOSS_SECONDS, EMBEDDING_SECONDS = 30, 300

#: (caption labels, dimension, temperature, seed) of the batches a loss is tried on: duplicates of two
#: and of three, every caption different (the loss is then InfoNCE), one caption for all (a perfect model
#: scores 0), and logits of ±1000.
_LOSS_CASES = (((0, 1, 0, 2, 3, 1), 8, 0.1, 1), ((4, 4, 4, 7, 5, 6, 7), 16, 0.07, 2),
               ((0, 1, 2, 3, 4), 6, 1.0, 3), ((2, 2, 2, 2), 4, 0.5, 4), ((0, 1, 1, 2, 0), 16, 0.001, 5))


def _batch(labels: tuple, d: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pictures ``a`` and captions ``b``; captions of equal labels are near each other (paraphrases)."""
    g = torch.Generator().manual_seed(seed)
    y = torch.tensor(labels)
    meaning = F.normalize(torch.randn(int(y.max()) + 1, d, generator=g), dim=-1)
    b = F.normalize(meaning[y] + 0.3 * torch.randn(len(y), d, generator=g), dim=-1)
    a = F.normalize(b + 0.8 * torch.randn(len(y), d, generator=g), dim=-1)   # related to their captions
    return a, b, y


def _one_way(logits: torch.Tensor, right: torch.Tensor, rule: str) -> torch.Tensor:
    log_p = torch.log_softmax(logits, dim=1)
    if rule == "sum":     # -log of the probability of all right answers together: the exercise's loss
        return -torch.logsumexp(log_p.masked_fill(~right, -torch.inf), dim=1).mean()
    if rule == "mean":    # the mean of the right answers' log-probabilities (SupCon's form)
        return -((log_p * right).sum(dim=1) / right.sum(dim=1)).mean()
    return -torch.diagonal(log_p).mean()   # "one": the diagonal only, as info_nce


def _loss(a: torch.Tensor, b: torch.Tensor, labels: torch.Tensor, t: float, rule: str = "sum") -> float:
    logits = (a @ b.T / t).double()
    right = labels[:, None] == labels[None, :]
    return float((_one_way(logits, right, rule) + _one_way(logits.T, right, rule)) / 2)


def _diagnose(value: float, a: torch.Tensor, b: torch.Tensor, y: torch.Tensor, t: float, expected: float) -> str:
    """What a wrong loss most likely did, judged by which common mistake reproduces it."""
    def near(x):
        return abs(value - float(x)) <= 1e-4 * max(1.0, abs(float(x)))

    right = y[:, None] == y[None, :]
    logits = (a @ b.T / t).double()
    if near(_loss(a, b, y, t, "one")):
        return ("it equals the single-positive info_nce: it counts the duplicate captions as wrong answers. "
                "Every caption whose label equals the picture's is right.")
    if near(_loss(a, b, y, t, "mean")):
        return ("it averages the log-probabilities of the right captions; take -log of their summed "
                "probability (torch.logsumexp over the right logits minus over all logits).")
    if near(_one_way(logits, right, "sum")) or near(_one_way(logits.T, right, "sum")):
        return "it is one direction only: add captions → pictures (the transposed logits) and average the two."
    if near(2 * expected):
        return "it is twice the expected value: average the two directions instead of adding them."
    if near(_loss(a, b, y, 1.0)) or near(_loss(a, b, y, 1.0 / t)):
        return "it ignores or multiplies by the temperature: divide the similarities by the temperature."
    return ("compare your mask with labels[:, None] == labels[None, :] and your logits with "
            "a @ b.T / temperature.")


def check_multi_positive_loss(fn: Callable) -> CheckResult:
    """Check a symmetric InfoNCE loss with several right answers, ``fn(a, b, labels, temperature)``.

    Pairs with equal ``labels`` have captions that are true of each other's pictures (the same caption or a
    paraphrase), so each such caption is a right answer for each such picture. The loss of picture ``i`` is ``-log`` of the softmax probability of all its right captions
    together (and the same for each caption over pictures); the two directions are averaged. It is tried on
    five new batches: duplicates of two and of three, all labels different (the result is then the
    ordinary InfoNCE loss), one label for all (0), and temperature 0.001, where a naive ``exp`` overflows.
    """
    for labels, d, t, seed in _LOSS_CASES:
        a, b, y = _batch(labels, d, seed)
        expected = _loss(a, b, y, t)
        got, failed = run_answer("loss function", LOSS_SECONDS, fn, a.clone(), b.clone(), y.clone(), t)
        if failed is not None:
            return failed
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            value = float(got.detach())
        elif isinstance(got, (int, float, np.floating, np.integer)) and not isinstance(got, bool):
            value = float(got)
        else:
            return CheckResult(False, f"expected one number (a 0-d tensor), got {type(got).__name__} "
                                      f"{tuple(getattr(got, 'shape', ()))}; average over the batch.")
        where = f"labels {list(labels)} at temperature {t:g}"
        if not np.isfinite(value):
            return CheckResult(False, f"on {where} your loss is {value}, expected {expected:.3f}: the logits "
                                      "reach ±1000 and exp() overflows. Use torch.logsumexp (or log_softmax), "
                                      "which subtracts the largest logit first.")
        if abs(value - expected) > 1e-4 * max(1.0, abs(expected)):
            return CheckResult(False, f"on {where} your loss is {value:.4f}, expected {expected:.4f}: "
                                      + _diagnose(value, a, b, y, t, expected))
    return CheckResult(True, "your loss is right on 5 new batches: with duplicate captions, with none (where it "
                             "equals info_nce), with one caption for all (0: no wrong answer is left) and at "
                             "temperature 0.001.")


#: The colour labels of a shop's catalogue, none of them a word of the training captions, and what they mean.
CATALOGUE_COLOURS = {"crimson": "red", "emerald": "green", "navy": "blue", "gold": "yellow"}
#: Seed of the held-out pictures a prompt set is checked on (new drawings, not the notebook's).
_PICTURE_SEED = 7


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
                     target: float = 0.8) -> CheckResult:
    """Check prompts that classify pictures by a catalogue's colour labels the model has never read.

    Each label of :data:`CATALOGUE_COLOURS` gets the mean of its prompts' vectors (prompt ensembling); the 72
    held-out scenes, drawn anew, each get the most similar label. The prompts pass when they reach ``target``;
    the message compares them with the bare prompts ``"a photo of a {label}"``.

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
    """
    target = check_scalar(target, "target", float, min_val=0.0, max_val=1.0, include_boundaries="right")
    labels = list(CATALOGUE_COLOURS)
    if not isinstance(prompts, Mapping) or sorted(prompts) != sorted(labels):
        got = sorted(prompts) if isinstance(prompts, Mapping) else type(prompts).__name__
        return CheckResult(False, f"expected a dict with one entry per catalogue label {labels}, got {got}.")
    for label, texts in prompts.items():
        if isinstance(texts, str) or not texts or not all(isinstance(t, str) and t.strip() for t in texts):
            return CheckResult(False, f"expected a non-empty list of prompt strings for {label!r}, got {texts!r}.")
    for what, fn in (("embed_pictures", embed_pictures), ("embed_text", embed_text)):
        if (problem := answer_problem(what, fn, [])) is not None:
            return problem
    _, unseen = cd.split_by_combination(cd.all_scenes())

    def measure():
        pictures = np.asarray(embed_pictures(cd.render_scenes(unseen, seed=_PICTURE_SEED)), dtype=np.float64)
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
