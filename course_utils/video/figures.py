"""The book's Figure 5.5 as a drawing: sample frames, embed each, average (chapter 5.3)."""

from __future__ import annotations

import numbers
from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
from numpy.typing import ArrayLike
from PIL import Image

from course_utils.image.figures import _slab, channel_colormap
from course_utils.validation import check_finite, check_scalar
from course_utils.video import validate_frames

__all__ = ["video_array_diagram", "frame_sampling_diagram"]

_FONT = 10  # points; the smallest text in the drawing


def _arrow(ax, start: tuple[float, float], end: tuple[float, float], colour: str = "0.35") -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=1.2,
                                 shrinkA=0, shrinkB=0))


def _box(ax, x: float, y: float, w: float, h: float, text: str, face: str) -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05,rounding_size=0.15",
                                facecolor=face, edgecolor="0.3", linewidth=1.2))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=_FONT)


def video_array_diagram(clip: np.ndarray | Sequence[np.ndarray], frames: Sequence[int] = (0, 5, 10, 15),
                        size: int = 8) -> Figure:
    """Figure 5.4: a clip drawn as the 4-D array it is, in the style of Figure 5.1.

    Each chosen frame is shrunk to ``size × size`` pixels and drawn twice: on
    top as the picture you see, below as the three channel slabs the computer
    stores; the slab stacks stand one after another along the time axis. The
    same pixel is outlined in every frame and its values are written out.

    Parameters
    ----------
    clip : array, shape (T, H, W, 3)
        uint8, or floats in [0, 1].
    frames : sequence of int
        2 to 6 frame numbers to draw, each in ``0 .. T - 1``.
    size : int
        Side the frames are shrunk to (4-16), so that single pixels are visible.

    Returns
    -------
    matplotlib.figure.Figure
        8 inches wide.

    Examples
    --------
    >>> fig = video_array_diagram(np.zeros((6, 16, 16, 3), np.uint8), frames=[0, 5], size=4)
    >>> float(fig.get_size_inches()[0])
    8.0
    >>> plt.close(fig)
    """
    video = validate_frames(clip)
    if video.dtype != np.uint8:
        video = (np.clip(video, 0.0, 1.0) * 255).round().astype(np.uint8)
    size = check_scalar(size, "size", int, min_val=4, max_val=16)
    shown = np.asarray(frames)
    if not np.issubdtype(shown.dtype, np.integer):
        raise TypeError(f"expected frames as whole frame numbers, got {np.asarray(frames)!r}")
    if shown.ndim != 1 or not 2 <= shown.size <= 6:
        raise ValueError(f"expected frames as 2 to 6 frame numbers, got {np.asarray(frames)!r}")
    if shown.min() < 0 or shown.max() >= len(video):
        raise ValueError(f"frames must lie in 0 .. {len(video) - 1} for a {len(video)}-frame clip, "
                         f"got {shown.tolist()}")
    small = np.stack([np.asarray(Image.fromarray(video[t]).resize((size, size), Image.Resampling.BOX))
                      for t in shown])
    row = col = size // 2
    k, (n, h, w) = shown.size, video.shape[:3]

    fig = plt.figure(figsize=(8, 4.6), layout="constrained")
    grid = fig.add_gridspec(2, k, height_ratios=[1, 1.6])
    for i, t in enumerate(shown):
        ax = fig.add_subplot(grid[0, i])
        ax.imshow(small[i], interpolation="nearest", extent=(0, size, 0, size))
        ax.add_patch(Rectangle((col, size - 1 - row), 1, 1, fill=False, edgecolor="black", lw=2))
        ax.set_title(f"frame {t}", fontsize=10)
        ax.set_xlabel("(R, G, B) = " + str(tuple(int(v) for v in small[i, row, col])), fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    right = fig.add_subplot(grid[1, :])
    depth = 0.28 * size
    step = size + 2 * depth + 3.5
    for i in range(k):
        for c in (2, 1, 0):  # back (B) to front (R)
            x0, y0 = i * step + c * depth, c * depth
            _slab(right, small[i, :, :, c], channel_colormap("RGB"[c]), x0, y0, zorder=10 - 3 * c)
            right.add_patch(Rectangle((x0 + col, y0 + size - 1 - row), 1, 1, fill=False,
                                      edgecolor="black", lw=1.5, zorder=11 - 3 * c))
            right.text(x0 + 0.3, y0 + size - 0.6, "RGB"[c], fontsize=9, fontweight="bold", color="white",
                       va="center", ha="left", zorder=12 - 3 * c)
    arrow = dict(arrowstyle="<->", color="black", lw=1.2)
    right.annotate("", xy=(-0.8, 0), xytext=(-0.8, size), arrowprops=arrow)
    right.text(-1.2, size / 2, f"height\n{h}", ha="right", va="center", fontsize=10)
    right.annotate("", xy=(0, -0.8), xytext=(size, -0.8), arrowprops=arrow)
    right.text(size / 2, -1.2, f"width {w}", ha="center", va="top", fontsize=10)
    right.text(size + depth + 0.3, depth - 0.3, "3\nchannels", ha="left", va="top", fontsize=9)
    right.annotate("", xy=((k - 1) * step + size, -3.6), xytext=(0, -3.6),
                   arrowprops=dict(arrowstyle="->", color="black", lw=1.2))
    right.text((k - 1) * step / 2 + size / 2, -4.0, f"frames (time): {n} in the clip, {k} drawn",
               ha="center", va="top", fontsize=10)
    right.set_xlim(-3.2, (k - 1) * step + size + 2 * depth + 0.5)
    right.set_ylim(-5.6, size + 2 * depth + 0.3)
    right.set_aspect("equal")
    right.axis("off")
    right.set_title(f"what the computer stores: an array of shape {video.shape}", fontsize=10)
    fig.suptitle("Figure 5.4: a video is a frames × height × width × 3 array", fontweight="bold")
    fig.supxlabel(f"each frame shrunk to {size} × {size} pixels; the outlined pixel (row {row}, column {col}) "
                  "holds three numbers per frame", fontsize=9)
    return fig


def frame_sampling_diagram(
    clip: np.ndarray | Sequence[np.ndarray],
    indices: ArrayLike,
    frame_embeddings: ArrayLike,
    dims: int = 16,
) -> Figure:
    """Draw video → sampled frames → image model → frame vectors → mean → video vector, from a real clip's data.

    Each vector is drawn as a horizontal strip of its first ``dims`` numbers,
    all strips on one colour scale and on the same columns, the video vector
    under the frame vectors, so each of its cells visibly is the mean of the
    cells above it.

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

    Returns
    -------
    matplotlib.figure.Figure
        8 inches wide. The video-vector strip carries ``gid="video-embedding"``.

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
    ax.set_ylim(-0.2, 6.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title("Figure 5.5: sample frames, embed each one, average the vectors", fontweight="bold")

    # The whole clip: a few frames stacked like a deck of cards.
    deck = np.unique(np.linspace(0, len(frames) - 1, 5).round().astype(int))
    for j, t in enumerate(deck[::-1]):
        off = 0.18 * (len(deck) - 1 - j)
        ax.imshow(frames[t], extent=(0.2 + off, 2.2 + off, 3.0 + off, 5.0 + off), zorder=2 + j)
        ax.add_patch(plt.Rectangle((0.2 + off, 3.0 + off), 2.0, 2.0, fill=False, edgecolor="0.3", zorder=2 + j))
    ax.text(1.55, 2.6, f"video\n{len(frames)} frames", ha="center", va="top", fontsize=_FONT)

    # One row per sampled frame: thumbnail → model → vector strip; the video vector sits under
    # the frame vectors, on the same columns, so each of its cells is the mean of the cells above.
    top, bottom = 6.2, 2.2
    row_h = (top - bottom) / k
    rows_y = [top - row_h * (i + 0.5) for i in range(k)]
    thumb = min(0.85 * row_h, 1.2)
    x0, x1 = 9.1, 13.3
    for i, (t, y) in enumerate(zip(idx, rows_y)):
        ax.imshow(frames[t], extent=(3.8, 3.8 + thumb, y - thumb / 2, y + thumb / 2), zorder=3)
        ax.text(5.8, y + 0.08, f"frame {t}", ha="center", va="bottom", fontsize=_FONT)
        _arrow(ax, (2.6, 4.3), (3.75, y))
        _arrow(ax, (3.85 + thumb, y), (6.6, y))
        _arrow(ax, (8.4, y), (9.0, y))
        ax.imshow(strips[i][None, :], extent=(x0, x1, y - 0.22, y + 0.22), cmap="magma",
                  vmin=lo, vmax=hi, aspect="auto", zorder=3)
    _box(ax, 6.6, bottom + 0.1, 1.8, top - bottom - 0.2, "image\nmodel\n(CNN)\n\nsame\nweights\nfor every\nframe",
         "#dbe9f6")
    ax.text((x0 + x1) / 2, top + 0.05, "frame vectors", ha="center", va="bottom", fontsize=_FONT)
    ax.plot([x0, x1], [bottom - 0.05, bottom - 0.05], color="0.3", lw=1.2)
    _arrow(ax, ((x0 + x1) / 2, bottom - 0.1), ((x0 + x1) / 2, 1.05))
    ax.text((x0 + x1) / 2 + 0.15, 1.45, "3. mean of each column", ha="left", va="center", fontsize=_FONT)
    strip = ax.imshow(video[None, :], extent=(x0, x1, 0.55, 0.99), cmap="magma", vmin=lo, vmax=hi,
                      aspect="auto", zorder=3)
    strip.set_gid("video-embedding")
    ax.text(x1 + 0.15, 0.77, "video\nvector", ha="left", va="center", fontsize=_FONT)

    # Step labels under the first two stages.
    for x, text in [(4.4, "1. sample\nK frames"), (7.5, "2. embed\neach frame")]:
        ax.text(x, bottom - 0.15, text, ha="center", va="top", fontsize=_FONT)
    bar = fig.colorbar(strip, ax=ax, orientation="horizontal", shrink=0.45, pad=0.02, aspect=30)
    bar.set_label(f"activation (first {dims} dimensions, one scale for every strip)", fontsize=_FONT)
    bar.ax.tick_params(labelsize=9)
    return fig
