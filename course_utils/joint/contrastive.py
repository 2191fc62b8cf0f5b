"""Contrastive learning of a joint embedding space (chapter 5.6): the loss, training and metrics.

The notebook writes its own towers and loss where the learner sees them; this module holds the reference
versions that tests and exercise checks compare against. The metrics count ties as a random draw: an item tied
with others scores the chance it would win a random tie-break, so a model that cannot tell items apart scores
what guessing scores, on every machine.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from course_utils.validation import check_array, check_finite, check_scalar, check_sequence

__all__ = ["one_thread", "symmetric_info_nce", "train_model", "recall_at_k", "prompt_embeddings", "zero_shot_accuracy"]


def one_thread() -> None:
    """Run PyTorch and NumPy's BLAS on one thread from now on, so that sums are done in the same order
    whatever the number of cores, and a seed gives the same numbers on every machine of one CPU kind."""
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    threadpool_limits(1)


def symmetric_info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """The symmetric InfoNCE loss of CLIP for a batch of matching pairs (row ``i`` of ``a`` and of ``b``).

    With ``S = a @ b.T / temperature``, the loss is the mean of the cross-entropy of each row of ``S``
    against its diagonal entry (``a`` → ``b``) and of each column (``b`` → ``a``).

    Parameters
    ----------
    a, b : torch.Tensor, shape (N, D)
        Embeddings of the two sides, usually scaled to unit length.
    temperature : float
        Divides the similarities before the softmax (CLIP starts at 0.07).

    Returns
    -------
    torch.Tensor
        A scalar; 0 for a batch of one pair.

    Raises
    ------
    ValueError
        If the similarities divided by ``temperature`` overflow.

    Examples
    --------
    >>> a = torch.eye(3)
    >>> round(float(symmetric_info_nce(a, a, temperature=1.0)), 4)
    0.5514
    """
    temperature = check_scalar(temperature, "temperature", float, min_val=0.0, include_boundaries="neither")
    a = check_array(a, "a", ndim=2, shape="(N, D)", tensor=True)
    b = check_array(b, "b", ndim=2, shape="(N, D)", tensor=True)
    if a.shape != b.shape:
        raise ValueError(f"expected a and b of the same shape (N, D), got {tuple(a.shape)} and {tuple(b.shape)}")
    logits = a @ b.T / temperature
    if not bool(torch.isfinite(logits).all()):
        raise ValueError(f"the similarities a @ b.T divided by temperature={temperature:g} overflow to infinity; "
                         "scale the embeddings to unit length (F.normalize) or use a larger temperature")
    targets = torch.arange(a.shape[0], device=a.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def train_model(build: Callable[[], torch.nn.Module],
                batch_loss: Callable[[torch.nn.Module, np.random.Generator], torch.Tensor],
                steps: int, lr: float = 1e-3, seed: int = 0) -> tuple[torch.nn.Module, list[float]]:
    """Build a model from a seed and train it with Adam, one batch per step.

    ``build`` runs right after ``torch.manual_seed(seed)``, ``batch_loss`` draws from ``np.random.default_rng(seed)``,
    and training runs on one CPU thread, so a seed gives the same weights bit for bit on a given machine.

    Parameters
    ----------
    build : callable
        ``build() -> torch.nn.Module``, the untrained model.
    batch_loss : callable
        ``batch_loss(model, rng) -> scalar tensor``: draw a batch with ``rng`` and return its loss.
    steps : int
        Optimiser steps (0 returns the untrained model).
    lr : float
        Adam's learning rate.
    seed : int

    Returns
    -------
    model : torch.nn.Module
        The trained model, in eval mode.
    losses : list of float
        The loss of every step.

    Raises
    ------
    ValueError
        When a step's loss (or the trained weights) is NaN or infinite; the message names the step.

    Examples
    --------
    >>> layer, losses = train_model(lambda: torch.nn.Linear(2, 1), lambda m, rng: m(torch.ones(1, 2)).pow(2).sum(),
    ...                             steps=50, lr=0.1)
    >>> losses[-1] < losses[0]
    True
    """
    steps = check_scalar(steps, "steps", int, min_val=0)
    lr = check_scalar(lr, "lr", float, min_val=0.0, include_boundaries="neither")
    seed = check_scalar(seed, "seed", int, min_val=0)
    build, batch_loss = check_scalar(build, "build", Callable), check_scalar(batch_loss, "batch_loss", Callable)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):   # the caller's random state comes back unchanged
            torch.manual_seed(seed)
            model = check_scalar(build(), "build()", torch.nn.Module)
            rng = np.random.default_rng(seed)
            optimiser = torch.optim.Adam(model.parameters(), lr=lr)
            losses = []
            model.train()
            for step in range(1, steps + 1):
                loss = batch_loss(model, rng)
                losses.append(float(loss.detach()))
                if not np.isfinite(losses[-1]):
                    raise ValueError(f"training diverged: the loss of step {step} of {steps} is {losses[-1]}; "
                                     f"lower the learning rate (lr={lr:g}) or check the inputs of batch_loss")
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
                raise ValueError(f"training diverged: the weights hold NaN or infinity after step {steps}; "
                                 f"lower the learning rate (lr={lr:g})")
    finally:
        torch.set_num_threads(threads)
    return model.eval(), losses


def recall_at_k(similarity: ArrayLike, k: int = 1) -> float:
    """Fraction of queries whose matching item is among their ``k`` best-scored items.

    Query ``i`` (row ``i``) matches item ``i`` (column ``i``); columns beyond ``N`` are distractors that
    match no query (a gallery larger than the set of queries). With ``g`` items scoring higher than the
    match and ``t`` tied with it, the match is in the top ``k`` with probability ``clip((k - g) / (t + 1), 0, 1)``.

    Parameters
    ----------
    similarity : array_like, shape (N, M), M >= N
        Scores of every query against every item.
    k : int
        How many retrieved items count (at least 1).

    Returns
    -------
    float
        Chance level is ``k / M``.

    Examples
    --------
    >>> recall_at_k([[0.9, 0.1], [0.8, 0.2]], k=1)
    0.5
    >>> recall_at_k([[0.5, 0.5], [0.0, 1.0]], k=1)   # query 0 ties: half a hit
    0.75
    """
    s = check_array(similarity, "similarity", ndim=2, shape="(N, M), M >= N").astype(np.float64)
    if s.shape[1] < s.shape[0]:
        raise ValueError(f"expected similarity of shape (N, M) with M >= N (query i matches item i), "
                         f"got shape {s.shape}")
    k = check_scalar(k, "k", int, min_val=1)
    match = np.diag(s)[:, None]
    higher = (s > match).sum(axis=1)
    tied = (s == match).sum(axis=1) - 1
    return float(np.mean(np.clip((k - higher) / (tied + 1), 0.0, 1.0)))


def prompt_embeddings(templates: Sequence[str], classes: Sequence[str],
                      embed_text: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """One unit vector per class: the mean embedding of its prompts (CLIP's prompt ensembling).

    Parameters
    ----------
    templates : sequence of str
        Prompt templates, each with one ``{}`` for the class name (``"a photo of a {}"``).
    classes : sequence of str
        Class names.
    embed_text : callable
        ``embed_text(list of str) -> (M, D)`` array of caption embeddings.

    Returns
    -------
    numpy.ndarray, shape (len(classes), D)

    Examples
    --------
    >>> fake = lambda texts: np.array([[len(t), 1.0] for t in texts])
    >>> prompt_embeddings(["a {}"], ["cat", "horse"], fake).shape
    (2, 2)
    """
    templates = check_sequence(templates, "templates", "strings")
    classes = [check_scalar(c, "each class", str) for c in check_sequence(classes, "classes", "strings")]
    embed_text = check_scalar(embed_text, "embed_text", Callable)
    if not templates or not classes:
        raise ValueError(f"expected a non-empty list of templates and of classes, got {templates!r} and {classes!r}")
    for t in templates:
        if not isinstance(t, str) or t.count("{}") != 1:
            raise ValueError(f"expected each template as a string with exactly one {{}}, got {t!r}")
    means = []
    for c in classes:
        vectors = check_array(embed_text([t.format(c) for t in templates]), f"embed_text(the prompts of {c!r})",
                              ndim=2).astype(np.float64)
        if vectors.shape[0] != len(templates) or not np.all(np.any(vectors != 0, axis=1)):
            problem = "an all-zero row" if vectors.shape[0] == len(templates) else f"shape {vectors.shape}"
            raise ValueError(f"expected embed_text to return {len(templates)} non-zero rows for the prompts "
                             f"of {c!r}, got {problem}")
        means.append(vectors.mean(axis=0))
    out = np.stack(means)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def zero_shot_accuracy(item_embeddings: ArrayLike, class_embeddings: ArrayLike, labels: ArrayLike) -> float:
    """Accuracy of classifying items by their most similar class prompt (chance: ``1 / C``).

    Parameters
    ----------
    item_embeddings : array_like, shape (N, D)
        Embeddings of the items (pictures, sounds), unit length.
    class_embeddings : array_like, shape (C, D)
        One embedding per class (a prompt such as "a photo of a circle").
    labels : array_like of int, shape (N,)
        The true class of each item, ``0 .. C-1``.

    Examples
    --------
    >>> zero_shot_accuracy([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], [0, 0])
    0.5
    """
    items = check_array(item_embeddings, "item_embeddings", ndim=2, shape="(N, D)").astype(np.float64)
    classes = check_array(class_embeddings, "class_embeddings", ndim=2, shape="(C, D)").astype(np.float64)
    if items.shape[1] != classes.shape[1]:
        raise ValueError(f"expected items (N, D) and classes (C, D) with the same D, "
                         f"got {items.shape} and {classes.shape}")
    y = check_array(labels, "labels", ndim=1, kinds="iu")
    if len(y) != len(items) or y.min() < 0 or y.max() >= len(classes):
        raise ValueError(f"expected labels as {len(items)} integers in 0..{len(classes) - 1}, got {y!r}")
    s = items @ classes.T
    check_finite(s, "item_embeddings @ class_embeddings.T")
    true = s[np.arange(len(s)), y][:, None]
    best = s.max(axis=1, keepdims=True)
    won = (true == best)[:, 0] / (s == best).sum(axis=1)
    return float(np.mean(won))
