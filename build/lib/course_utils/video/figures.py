"""The book's Figure 5.5 as a drawing: sample frames, embed each, average (chapter 5.3).

:func:`frame_sampling_diagram` draws the pipeline with boxes and arrows, using
a real clip's frames and the real numbers of its frame embeddings, so the
diagram is also a picture of the data::

    idx = frame_indices(len(clip), 4)
    fig = frame_sampling_diagram(clip, idx, encoder.embed(clip[idx]))
"""

from __future__ import annotations

import numbers
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from numpy.typing import ArrayLike

from course_utils.validation import check_finite, check_scalar
from course_utils.video import validate_frames

__all__ = ["frame_sampling_diagram"]

_FONT = 10  # points; the smallest text in the drawing


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "0.35") -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=1.2,
                                 shrinkA=0, shrinkB=0))


def _box(ax, x: float, y: float, w: float, h: float, text: str, face: str) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05,rounding_size=0.15",
                                facecolor=face, edgecolor="0.3", linewidth=1.2))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=_FONT)


def frame_sampling_diagram(
    clip: np.ndarray | Sequence[np.ndarray],
    indices: ArrayLike,
    frame_embeddings: ArrayLike,
    dims: int = 16,
    title: str = "Figure 5.5: sample frames, embed each one, average the vectors",
) -> Figure:
    """Draw video → sampled frames → image model → frame vectors → mean → video vector.

    Each vector is drawn as a strip of its first ``dims`` numbers, all strips
    on one colour scale, so the video vector visibly is the average of the
    frame vectors above it.

    Parameters
    ----------
    clip : array, shape (T, H, W, 3)
        The whole clip, uint8 or floats in [0, 1].
    indices : array_like of int, shape (K,)
        The sampled frames, 1 <= K <= 6, each in ``0 .. T - 1``.
    frame_embeddings : array_like, shape (K, D)
        One embedding per sampled frame, in the order of ``indices``.
    dims : int
        How many leading dimensions of each vector to draw (1 .. D).
    title : str
        The figure's title.

    Returns
    -------
    matplotlib.figure.Figure
        8 inches wide. The video-vector strip carries ``gid="video-embedding"``.

    Raises
    ------
    ValueError
        If the clip is not a clip, the indices are out of range or do not
        match the embeddings, the embeddings are not finite, or ``dims`` is
        out of range.
    TypeError
        If ``dims`` is not an integer.

    Examples
    --------
    >>> clip = np.zeros((8, 16, 16, 3), np.uint8)
    >>> fig = frame_sampling_diagram(clip, [1, 5], np.ones((2, 4)), dims=4)
    >>> fig.get_size_inches().tolist()
    [8.0, 4.2]
    >>> plt.close(fig)
    """
    frames = validate_frames(clip)
    idx = np.asarray(indices)
    if idx.ndim != 1 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"expected indices as a 1-D array of frame numbers, got {np.asarray(indices)!r}")
    if idx.size > 6:
        raise ValueError(f"the diagram has room for at most 6 sampled frames, got {idx.size}; sample fewer")
    if idx.min() < 0 or idx.max() >= len(frames):
        raise ValueError(f"indices must lie in 0 .. {len(frames) - 1} for a {len(frames)}-frame clip, "
                         f"got {idx.tolist()}")
    emb = np.asarray(frame_embeddings, dtype=np.float64)
    if emb.ndim != 2 or emb.shape[0] != idx.size:
        raise ValueError(f"expected one embedding per sampled frame, shape ({idx.size}, D), got shape {emb.shape}")
    check_finite(emb, "frame_embeddings")
    dims = check_scalar(dims, "dims", numbers.Integral, min_val=1, max_val=emb.shape[1])

    k = idx.size
    strips = emb[:, :dims]
    video = strips.mean(axis=0)
    lo, hi = float(min(strips.min(), video.min())), float(max(strips.max(), video.max()))
    if hi == lo:
        hi = lo + 1.0

    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    ax.set_xlim(0, 16)
    ax.set_ylim(-1.1, 6.4)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title, fontweight="bold")

    # The whole clip: a few frames stacked like a deck of cards.
    deck = np.unique(np.linspace(0, len(frames) - 1, 5).round().astype(int))
    for j, t in enumerate(deck[::-1]):
        off = 0.18 * (len(deck) - 1 - j)
        ax.imshow(frames[t], extent=(0.2 + off, 2.2 + off, 2.0 + off, 4.0 + off), zorder=2 + j)
        ax.add_patch(plt.Rectangle((0.2 + off, 2.0 + off), 2.0, 2.0, fill=False, edgecolor="0.3", zorder=2 + j))
    ax.text(1.55, 1.6, f"video\n{len(frames)} frames", ha="center", va="top", fontsize=_FONT)

    # One row per sampled frame: thumbnail → model → vector strip.
    row_h = 6.0 / k
    rows_y = [6.0 - row_h * (i + 0.5) for i in range(k)]
    thumb = min(0.85 * row_h, 1.2)
    for i, (t, y) in enumerate(zip(idx, rows_y)):
        ax.imshow(frames[t], extent=(3.8, 3.8 + thumb, y - thumb / 2, y + thumb / 2), zorder=3)
        ax.text(5.8, y + 0.08, f"frame {t}", ha="center", va="bottom", fontsize=_FONT)
        _arrow(ax, (3.0, 3.3), (3.75, y))
        _arrow(ax, (3.85 + thumb, y), (6.6, y))
        _arrow(ax, (8.4, y), (9.0, y))
        ax.imshow(strips[i][None, :], extent=(9.1, 11.7, y - 0.22, y + 0.22), cmap="magma",
                  vmin=lo, vmax=hi, aspect="auto", zorder=3)
        _arrow(ax, (11.8, y), (12.55, 3.0))
    _box(ax, 6.6, 0.1, 1.8, 5.8, "image\nmodel\n(CNN)\n\nsame\nweights\nfor every\nframe", "#dbe9f6")
    _box(ax, 12.6, 2.55, 1.0, 0.9, "mean", "#fde2c8")
    _arrow(ax, (13.65, 3.0), (14.3, 3.0))
    strip = ax.imshow(video[:, None], extent=(14.35, 14.85, 1.6, 4.4), cmap="magma", vmin=lo, vmax=hi,
                      aspect="auto", zorder=3)
    strip.set_gid("video-embedding")
    ax.text(14.6, 4.55, "video\nvector", ha="center", va="bottom", fontsize=_FONT)

    # Step labels under each stage.
    for x, text in [(4.4, "1. sample\nK frames"), (7.5, "2. embed\neach frame"), (10.4, "frame vectors"),
                    (13.1, "3. average")]:
        ax.text(x, -0.15, text, ha="center", va="top", fontsize=_FONT)
    bar = fig.colorbar(strip, ax=ax, orientation="horizontal", shrink=0.45, pad=0.02, aspect=30)
    bar.set_label(f"activation (first {dims} dimensions, one scale for every strip)", fontsize=_FONT)
    bar.ax.tick_params(labelsize=9)
    return fig
