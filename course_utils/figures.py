"""Figures every chapter uses: similarity heatmaps and picture grids (each domain keeps its own in ``figures``).

Every function returns a new matplotlib figure and leaves global rcParams alone.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

#: Widest a figure may be, in inches: 800 px at 100 dpi, the width of the book's column.
BOOK_COLUMN_INCHES = 8.0


def similarity_heatmap(matrix: ArrayLike, labels: Sequence[str], title: str = "Cosine similarity",
                       vmin: float | None = None, fmt: str = "{:.2f}", ax=None):
    """Draw a labelled heatmap of a similarity matrix, each cell annotated.

    Parameters
    ----------
    matrix : array_like, shape (n, n)
    labels : sequence of str
        Row and column labels.
    title : str
    vmin : float, optional
        Bottom of the colour range (the top is 1); defaults to the matrix minimum.
    fmt : str
        Format of the value written in each cell.
    ax : matplotlib Axes, optional
        Draw into this axes instead of a new figure (at most the book's 8-inch column wide).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    m = np.asarray(matrix, dtype=float)
    if m.shape != (len(labels), len(labels)):
        raise ValueError(f"matrix shape {m.shape} does not match {len(labels)} labels")
    if ax is None:
        size = (min(BOOK_COLUMN_INCHES, 1.6 + 0.75 * m.shape[1]), 1.2 + 0.6 * m.shape[0])
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        fig = ax.figure
    im = ax.imshow(m, cmap="viridis", vmin=np.nanmin(m) if vmin is None else vmin, vmax=1.0)
    ax.set_xticks(range(m.shape[1]), labels, rotation=45, ha="right")
    ax.set_yticks(range(m.shape[0]), labels)
    ax.set_title(title)
    lo, hi = im.get_clim()
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            light = (m[i, j] - lo) < 0.6 * (hi - lo)
            ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center", fontsize=9,
                    color="white" if light else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label="cosine similarity")
    return fig


def image_grid(images: Sequence, titles: Sequence[str] | None = None, ncols: int = 4, suptitle: str | None = None,
               cell_size: float = 2.0, row_labels: Sequence[str] | None = None):
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
        Size of each picture in inches, shrunk so that ``ncols`` pictures fit the book's 8-inch column.
    row_labels : sequence of str, optional
        A label written to the left of each row.

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
    cell_size = min(cell_size, BOOK_COLUMN_INCHES / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(cell_size * ncols, cell_size * nrows + 0.4),
                             squeeze=False, layout="constrained")
    for k, ax in enumerate(axes.flat):
        ax.set(xticks=[], yticks=[])
        ax.spines[:].set_visible(False)
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
