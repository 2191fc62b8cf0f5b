"""Contrastive learning of a joint embedding space (chapter 5.6): the loss, training and metrics.

The notebook writes its own towers and its own loss, where the learner sees
them; this module holds the reusable parts and the reference versions that
tests and exercise checks compare against:

===============================  ===============================================
function                         what it does
===============================  ===============================================
:func:`symmetric_info_nce`       the CLIP loss: cross-entropy over an N × N
                                 similarity matrix, both directions, averaged
:func:`train_model`              seeded Adam training of any model on a loss
:func:`recall_at_k`              retrieval recall@k when query i matches item i
:func:`prompt_embeddings`        one vector per class from prompt templates
:func:`zero_shot_accuracy`       classification by the nearest class prompt
===============================  ===============================================

Ties count as a random draw: an item tied with others scores the chance it
would win if the tie were broken at random, so a model that cannot tell two
items apart scores what guessing scores, on every machine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import ArrayLike

from course_utils.validation import check_array, check_scalar

if TYPE_CHECKING:
    pass

__all__ = ["symmetric_info_nce", "train_model", "recall_at_k", "prompt_embeddings", "zero_shot_accuracy"]


def symmetric_info_nce(a: torch.Tensor, b: torch.Tensor, temperature: float = 0.07) -> torch.Tensor:
    """The symmetric InfoNCE loss of CLIP for a batch of matching pairs.

    Row ``i`` of ``a`` and row ``i`` of ``b`` are a matching pair (a picture
    and its caption); every other row of the batch is a negative. With
    ``S = a @ b.T / temperature``, the loss is the mean of the cross-entropy
    of each row of ``S`` against its diagonal entry (``a`` → ``b``) and of
    each column (``b`` → ``a``).

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
    TypeError
        If ``a`` or ``b`` is not a tensor.
    ValueError
        If ``a`` and ``b`` are not 2-D with the same shape, hold NaN or
        infinity, the temperature is not a positive number, or the
        similarities divided by it overflow.

    Examples
    --------
    >>> a = torch.eye(3)
    >>> round(float(symmetric_info_nce(a, a, temperature=1.0)), 4)
    0.5514
    """
    temperature = check_scalar(temperature, "temperature", float, min_val=0.0, include_boundaries="neither")
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        raise TypeError(f"expected a and b as torch tensors, got {type(a).__name__} and {type(b).__name__}")
    if a.ndim != 2 or a.shape != b.shape or a.shape[0] == 0:
        raise ValueError(f"expected a and b as two (N, D) batches of the same shape with N >= 1, "
                         f"got {tuple(a.shape)} and {tuple(b.shape)}")
    if not bool(torch.isfinite(a).all() and torch.isfinite(b).all()):
        raise ValueError("expected finite embeddings a and b, got NaN or infinity; check what produced them")
    logits = a @ b.T / temperature
    if not bool(torch.isfinite(logits).all()):
        raise ValueError(f"the similarities a @ b.T divided by temperature={temperature:g} overflow to infinity; "
                         "scale the embeddings to unit length (F.normalize) or use a larger temperature")
    targets = torch.arange(a.shape[0], device=a.device)
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def train_model(
    build: Callable[[], torch.nn.Module],
    batch_loss: Callable[[torch.nn.Module, np.random.Generator], torch.Tensor],
    steps: int,
    lr: float = 1e-3,
    seed: int = 0,
) -> tuple[torch.nn.Module, list[float]]:
    """Build a model from a seed and train it with Adam, one batch per step.

    Everything random comes from ``seed``: the initial weights (``build`` is
    called right after ``torch.manual_seed(seed)``) and the batches
    (``batch_loss`` draws them from a NumPy generator made from ``seed``).
    Training runs on one CPU thread, so the same seed gives the same weights
    bit for bit on a given machine; the previous thread count and torch's
    global random state are restored afterwards. Training stops with an
    error at the first step whose loss is NaN or infinite.

    Parameters
    ----------
    build : callable
        ``build() -> torch.nn.Module``, the untrained model.
    batch_loss : callable
        ``batch_loss(model, rng) -> scalar tensor``: draw a batch with
        ``rng`` and return its loss.
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
    TypeError
        If ``build()`` does not return a module.
    ValueError
        On a bad ``steps``, ``lr`` or ``seed``, or when a step's loss (or the
        trained weights) is NaN or infinite; the message names the step.

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
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with torch.random.fork_rng(devices=[]):   # the caller's random state comes back unchanged
            torch.manual_seed(seed)
            model = build()
            if not isinstance(model, torch.nn.Module):
                raise TypeError(f"expected build() to return a torch.nn.Module, got {type(model).__name__}")
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


def _as_scores(similarity: ArrayLike, square: bool) -> np.ndarray:
    shape = "square (N, N)" if square else "2-D (items, classes)"
    s = check_array(similarity, "similarity", ndim=2, shape=shape).astype(np.float64)
    if square and s.shape[0] != s.shape[1]:
        raise ValueError(f"expected similarity as a {shape} array, got shape {s.shape}")
    return s


def recall_at_k(similarity: ArrayLike, k: int = 1) -> float:
    """Fraction of queries whose matching item is among their ``k`` best-scored items.

    Query ``i`` (row ``i``) matches item ``i`` (column ``i``). An item tied
    with the match counts as a random draw: with ``g`` items scoring higher
    and ``t`` tied, the match is in the top ``k`` with probability
    ``clip((k - g) / (t + 1), 0, 1)``.

    Parameters
    ----------
    similarity : array_like, shape (N, N)
        Scores of every query against every item.
    k : int
        How many retrieved items count (at least 1).

    Returns
    -------
    float
        Chance level is ``k / N``.

    Examples
    --------
    >>> recall_at_k([[0.9, 0.1], [0.8, 0.2]], k=1)
    0.5
    >>> recall_at_k([[0.5, 0.5], [0.0, 1.0]], k=1)   # query 0 ties: half a hit
    0.75
    """
    s = _as_scores(similarity, square=True)
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

    Raises
    ------
    TypeError
        If ``templates`` or ``classes`` is a bare string rather than a list of strings.
    ValueError
        If there are no templates or classes, a template lacks exactly one
        ``{}``, or ``embed_text`` returns rows that are not finite, all-zero or
        not one per prompt.

    Examples
    --------
    >>> fake = lambda texts: np.array([[len(t), 1.0] for t in texts])
    >>> prompt_embeddings(["a {}"], ["cat", "horse"], fake).shape
    (2, 2)
    """
    for name, value in (("templates", templates), ("classes", classes)):
        if isinstance(value, str):
            raise TypeError(f"expected {name} as a list of strings, got the bare string {value!r}; wrap it: [{value!r}]")
    if not templates or not classes:
        raise ValueError(f"expected a non-empty list of templates and of classes, got {templates!r} and {classes!r}")
    for t in templates:
        if not isinstance(t, str) or t.count("{}") != 1:
            raise ValueError(f"expected each template as a string with exactly one {{}}, got {t!r}")
    means = []
    for c in classes:
        vectors = np.asarray(embed_text([t.format(c) for t in templates]), dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] != len(templates) or vectors.shape[1] == 0:
            problem = f"an array of shape {vectors.shape}"
        elif not np.all(np.isfinite(vectors)):
            problem = "NaN or infinite values"
        elif not np.all(np.any(vectors != 0, axis=1)):
            problem = "an all-zero row"
        else:
            problem = None
        if problem:
            raise ValueError(f"expected embed_text to return {len(templates)} finite, non-zero rows for the prompts "
                             f"of {c!r}, got {problem}")
        means.append(vectors.mean(axis=0))
    out = np.stack(means)
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def zero_shot_accuracy(item_embeddings: ArrayLike, class_embeddings: ArrayLike, labels: ArrayLike) -> float:
    """Accuracy of classifying items by their most similar class prompt.

    Parameters
    ----------
    item_embeddings : array_like, shape (N, D)
        Embeddings of the items (pictures, sounds), unit length.
    class_embeddings : array_like, shape (C, D)
        One embedding per class (a prompt such as "a photo of a circle").
    labels : array_like of int, shape (N,)
        The true class of each item, ``0 .. C-1``.

    Returns
    -------
    float
        Chance level is ``1 / C``. A tie between the true class and others
        counts as a random draw.

    Examples
    --------
    >>> zero_shot_accuracy([[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 1.0]], [0, 0])
    0.5
    """
    items = check_array(item_embeddings, "item_embeddings").astype(np.float64)
    classes = check_array(class_embeddings, "class_embeddings").astype(np.float64)
    if items.ndim != 2 or classes.ndim != 2 or items.shape[1] != classes.shape[1]:
        raise ValueError(f"expected items (N, D) and classes (C, D) with the same D, "
                         f"got {items.shape} and {classes.shape}")
    s = _as_scores(items @ classes.T, square=False)
    y = check_array(labels, "labels", ndim=1, kinds="iu")
    if y.shape != (len(s),) or not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= s.shape[1]:
        raise ValueError(f"expected labels as {len(s)} integers in 0..{s.shape[1] - 1}, got {np.asarray(labels)!r}")
    true = s[np.arange(len(s)), y][:, None]
    best = s.max(axis=1, keepdims=True)
    won = (true == best)[:, 0] / (s == best).sum(axis=1)
    return float(np.mean(won))
