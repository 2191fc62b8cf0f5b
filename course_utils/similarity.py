"""Cosine similarity and nearest-neighbour search for embedding vectors.

Each vector is first divided by its largest absolute entry, so vectors of size 1e200 or 1e-200 give the same
similarities as vectors of size 1; only an all-zero vector (whose direction is undefined) is refused.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_array, check_scalar

__all__ = ["cosine_similarity", "cosine_similarity_matrix", "top_k"]


def _as_matrix(x: ArrayLike, name: str) -> np.ndarray:
    arr = check_array(x, name, ndim=(1, 2), shape="(d,) or (n, d)").astype(np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    peaks = np.max(np.abs(arr), axis=1)  # scaled to a largest entry of 1: squaring 1e200 would overflow
    if np.any(peaks == 0):
        raise ValueError(f"{name} row {int(np.flatnonzero(peaks == 0)[0])} is an all-zero vector, whose cosine "
                         "similarity is undefined; check the input that produced it (for example a blank image or "
                         "silent audio)")
    arr = arr / peaks[:, None]
    return arr / np.linalg.norm(arr, axis=1)[:, None]


def cosine_similarity(a: ArrayLike, b: ArrayLike) -> float:
    """Cosine similarity between two embedding vectors.

    Parameters
    ----------
    a, b : array_like, shape (d,)
        Two vectors of the same length.

    Returns
    -------
    float
        ``a·b / (|a| |b|)``, between -1 and 1.

    Raises
    ------
    ValueError
        If a vector is all zeros (the similarity would be NaN).

    Examples
    --------
    >>> round(cosine_similarity([1.0, 0.0], [1.0, 1.0]), 3)
    0.707
    """
    shape = "1-D (d,)"  # batches go to cosine_similarity_matrix
    a_arr, b_arr = check_array(a, "a", ndim=1, shape=shape), check_array(b, "b", ndim=1, shape=shape)
    if a_arr.shape != b_arr.shape:
        raise ValueError(f"expected vectors of the same length, got {a_arr.shape[0]} and {b_arr.shape[0]}")
    return float(cosine_similarity_matrix(a_arr, b_arr)[0, 0])


def cosine_similarity_matrix(x: ArrayLike, y: ArrayLike | None = None) -> np.ndarray:
    """All pairwise cosine similarities between the rows of ``x`` and ``y``.

    Parameters
    ----------
    x : array_like, shape (n, d)
    y : array_like, shape (m, d), optional
        Defaults to ``x`` (a square, symmetric matrix).

    Returns
    -------
    numpy.ndarray, shape (n, m)

    Examples
    --------
    >>> cosine_similarity_matrix([[1, 0], [0, 1]]).round(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    xn = _as_matrix(x, "x")
    yn = xn if y is None else _as_matrix(y, "y")
    if xn.shape[1] != yn.shape[1]:
        raise ValueError(f"x and y have different embedding sizes ({xn.shape[1]} and {yn.shape[1]}); "
                         "compare embeddings made by the same model")
    return np.clip(xn @ yn.T, -1.0, 1.0)


def top_k(query: ArrayLike, gallery: ArrayLike, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Indices and similarities of the ``k`` gallery rows closest to each query.

    Parameters
    ----------
    query : array_like, shape (d,) or (q, d)
    gallery : array_like, shape (n, d)
    k : int
        How many neighbours to return (1 to ``n``).

    Returns
    -------
    indices : numpy.ndarray, shape (q, k)
        Gallery rows, most similar first (ties keep gallery order).
    scores : numpy.ndarray, shape (q, k)
        The matching cosine similarities.

    Examples
    --------
    >>> idx, sims = top_k([1, 0], [[0, 1], [1, 0.1], [1, 1]], k=2)
    >>> idx.tolist()
    [[1, 2]]
    """
    k = check_scalar(k, "k", int)
    sims = cosine_similarity_matrix(query, check_array(gallery, "gallery", ndim=2, shape="(n, d)"))
    n = sims.shape[1]
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the gallery size ({n}), got {k}")
    order = np.argsort(-sims, axis=1, kind="stable")[:, :k]
    return order, np.take_along_axis(sims, order, axis=1)
