"""Figures of chapter 5.6: similarity matrices on one colour scale, and training losses beside the loss of guessing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_scalar

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_similarity_matrices(
    matrices: Mapping[str, ArrayLike],
    row_labels: Sequence[str],
    images: Sequence[np.ndarray] | None = None,
    title: str = "Similarity of every caption with every picture",
) -> Figure:
    """Heatmaps of caption × item similarity matrices side by side, on one colour scale (-1 to 1).

    Parameters
    ----------
    matrices : mapping of str to array, each (N, N)
        Panel title → cosine similarities (rows: captions, columns: items).
    row_labels : sequence of str
        The N captions, written left of the first panel.
    images : sequence of arrays, optional
        The N pictures, drawn under the columns instead of numbers.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage

    mats = {name: np.asarray(m, dtype=float) for name, m in matrices.items()}
    n = len(row_labels)
    if not mats or any(m.shape != (n, n) for m in mats.values()):
        raise ValueError(f"expected one or more ({n}, {n}) matrices for {n} row labels, "
                         f"got shapes {[m.shape for m in mats.values()]}")
    fig, axes = plt.subplots(1, len(mats), figsize=(7.7, 0.3 * n + 1.9), sharey=True, layout="constrained",
                             squeeze=False, dpi=100)
    for ax, (name, m) in zip(axes[0], mats.items()):
        im = ax.imshow(m, cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_title(name, fontsize=10)
        ax.set_xticks(range(n), [str(j + 1) for j in range(n)] if images is None else [""] * n)
        ax.set_xlabel("picture", fontsize=9, labelpad=26 if images is not None else 4)
        for i in range(n):
            ax.text(i, i, f"{round(m[i, i], 1) + 0.0:.1f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(m[i, i]) > 0.6 else "black")
        if images is not None:
            for j, img in enumerate(images):
                box = OffsetImage(np.asarray(img), zoom=24 / max(np.asarray(img).shape[:2]))
                ax.add_artist(AnnotationBbox(box, (j, n - 0.5), xybox=(0, -14), xycoords="data",
                                             boxcoords="offset points", frameon=False, annotation_clip=False))
    axes[0, 0].set_yticks(range(n), row_labels, fontsize=9)
    axes[0, 0].set_ylabel("caption", fontsize=9)
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.9, label="cosine similarity")
    fig.suptitle(title, fontweight="bold", fontsize=11)
    return fig


def plot_loss_curves(losses: Mapping[str, Sequence[float]], guessing: Mapping[str, float] | None = None,
                     title: str = "Training loss", smooth: int = 20) -> Figure:
    """Training loss per step (smoothed by a moving average), with the loss of guessing as dashed lines.

    Parameters
    ----------
    losses : mapping of str to sequence of float
        Curve name → loss at every step.
    guessing : mapping of str to float, optional
        Curve name → the loss of a model that scores every pair alike
        (``log N`` for a batch of N pairs).
    title : str
    smooth : int
        Width of the moving average, in steps.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    smooth = check_scalar(smooth, "smooth", int, min_val=1)
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained", dpi=100)
    for i, (name, values) in enumerate(losses.items()):
        v = np.asarray(values, dtype=float)
        if v.ndim != 1 or v.size < smooth:
            raise ValueError(f"expected at least {smooth} losses for {name!r}, got {v.size}")
        curve = np.convolve(v, np.ones(smooth) / smooth, mode="valid")
        ax.plot(np.arange(smooth, v.size + 1), curve, color=f"C{i}", label=name)
        if guessing and name in guessing:
            ax.axhline(guessing[name], color=f"C{i}", ls="--", lw=1, label=f"{name}: guessing ({guessing[name]:.2f})")
    ax.set_xlabel("training step")
    ax.set_ylabel(f"loss ({smooth}-step average)")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontweight="bold", fontsize=11)
    ax.legend(fontsize=9)
    return fig
