"""Figures every chapter uses: similarity heatmaps and picture grids.

Each domain draws its own figures beside its code (:mod:`course_utils.image.figures`,
:mod:`course_utils.audio.figures`, :mod:`course_utils.video.figures`,
:mod:`course_utils.joint.figures`). Every function draws on a new matplotlib figure
and returns it; none changes global rcParams, so importing has no side effects.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike


def similarity_heatmap(
    matrix: ArrayLike,
    labels: Sequence[str],
    title: str = "Cosine similarity",
    col_labels: Sequence[str] | None = None,
    vmin: float | None = None,
    vmax: float = 1.0,
    annotate: bool = True,
    fmt: str = "{:.2f}",
    ax=None,
    colorbar_label: str = "cosine similarity",
    max_width: float = 8.0,
):
    """Draw a labelled heatmap of a similarity matrix, each cell annotated.

    Parameters
    ----------
    matrix : array_like, shape (n, m)
    labels : sequence of str
        Row labels (and column labels unless ``col_labels`` is given).
    title : str
    col_labels : sequence of str, optional
    vmin, vmax : float, optional
        Colour range; ``vmin`` defaults to the matrix minimum.
    annotate : bool
        Write each value in its cell.
    fmt : str
        Format of the annotations.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure.
    colorbar_label : str
        Label of the colourbar (what the colours measure).
    max_width : float
        Widest a new figure may be, in inches (8 in = 800 px at 100 dpi, the
        width of the book's column); ignored when ``ax`` is given.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    m = np.asarray(matrix, dtype=float)
    col_labels = list(labels) if col_labels is None else list(col_labels)
    if m.shape != (len(labels), len(col_labels)):
        raise ValueError(
            f"matrix shape {m.shape} does not match {len(labels)} row and {len(col_labels)} column labels"
        )
    if ax is None:
        size = (min(max_width, 1.6 + 0.75 * m.shape[1]), 1.2 + 0.6 * m.shape[0])
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        fig = ax.figure
    im = ax.imshow(m, cmap="viridis", vmin=np.nanmin(m) if vmin is None else vmin, vmax=vmax)
    ax.set_xticks(range(m.shape[1]), col_labels, rotation=45, ha="right")
    ax.set_yticks(range(m.shape[0]), labels)
    ax.set_title(title)
    if annotate:
        lo, hi = im.get_clim()
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                light = (m[i, j] - lo) < 0.6 * (hi - lo)
                ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center", fontsize=9,
                        color="white" if light else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label=colorbar_label)
    return fig


def image_grid(
    images: Sequence,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    suptitle: str | None = None,
    cell_size: float = 2.0,
    row_labels: Sequence[str] | None = None,
    max_width: float = 8.0,
):
    """Show images (PIL or arrays) in a grid with optional titles.

    Parameters
    ----------
    images : sequence of PIL.Image or numpy arrays
    titles : sequence of str, optional
        One title per image.
    ncols : int
        Images per row.
    suptitle : str, optional
        Title of the whole figure.
    cell_size : float
        Size of each picture in inches; shrunk so that ``ncols`` pictures fit
        in ``max_width``.
    row_labels : sequence of str, optional
        A label written to the left of each row.
    max_width : float
        Widest the figure may be, in inches (8 in = 800 px at 100 dpi, the
        width of the book's column). Use fewer ``ncols`` for bigger pictures.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    n = len(images)
    if n == 0:
        raise ValueError("image_grid needs at least one image, got an empty sequence")
    if titles is not None and len(titles) != n:
        raise ValueError(f"got {n} images but {len(titles)} titles")
    nrows = int(np.ceil(n / ncols))
    cell_size = min(cell_size, max_width / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows + 0.4),
                             squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if k >= n:
            ax.axis("off")
            continue
        img = np.asarray(images[k])
        ax.imshow(img, cmap="gray" if img.ndim == 2 else None)
        if titles is not None:
            ax.set_title(titles[k], fontsize=9)
        if row_labels is not None and k % ncols == 0 and k // ncols < len(row_labels):
            ax.set_ylabel(row_labels[k // ncols], fontsize=10, fontweight="bold")
    if suptitle:
        fig.suptitle(suptitle, fontweight="bold")
    return fig
