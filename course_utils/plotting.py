"""The course's figures: similarity heatmaps, picture grids and channel splits.

Every function draws on a new matplotlib figure and returns it; none changes
global rcParams, so importing this module has no side effects.
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
        size = (1.2 + 0.7 * m.shape[1], 1.0 + 0.55 * m.shape[0])
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
                ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if light else "black")
    fig.colorbar(im, ax=ax, shrink=0.8, label="cosine similarity")
    return fig


def image_grid(
    images: Sequence,
    titles: Sequence[str] | None = None,
    ncols: int = 4,
    suptitle: str | None = None,
    cell_size: float = 2.2,
    row_labels: Sequence[str] | None = None,
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
        Size of each picture in inches.
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


def rgb_channels(images: dict, title: str = "An RGB image is three 2-D channels stacked together"):
    """Figure 5.2: each image beside its Red, Green and Blue channels.

    Parameters
    ----------
    images : dict of str to PIL.Image or (H, W, 3) uint8 array
        Row label → image.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    names = list(images)
    fig, axes = plt.subplots(len(names), 4, figsize=(9, 2.3 * len(names)), squeeze=False,
                             layout="constrained")
    for row, name in enumerate(names):
        arr = np.asarray(images[name])
        if arr.ndim != 3 or arr.shape[2] != 3:
            raise ValueError(f"image {name!r} must be (H, W, 3) RGB, got shape {arr.shape}")
        panels = [(arr, None, name)] + [
            (arr[:, :, c], cmap, f"{label} channel")
            for c, (cmap, label) in enumerate([("Reds", "R"), ("Greens", "G"), ("Blues", "B")])
        ]
        for col, (data, cmap, label) in enumerate(panels):
            ax = axes[row, col]
            ax.imshow(data, cmap=cmap, vmin=0, vmax=255)
            ax.set_xticks([])
            ax.set_yticks([])
            if col == 0:
                ax.set_ylabel(label, fontsize=10, fontweight="bold")
            if row == 0 and col > 0:
                ax.set_title(label, fontsize=10)
            if col > 0:
                ax.set_xlabel(f"mean {data.mean():.0f}", fontsize=8)
    fig.suptitle(title, fontweight="bold")
    return fig
