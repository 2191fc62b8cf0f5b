"""Figures of chapter 5.6: similarity matrices on one colour scale, and training losses beside the loss of guessing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def plot_similarity_matrices(matrices: Mapping[str, ArrayLike], row_labels: Sequence[str],
                             title: str = "Similarity of every caption with every picture") -> Figure:
    """Heatmaps of caption × item similarity matrices side by side, on one colour scale (-1 to 1).

    Parameters
    ----------
    matrices : mapping of str to array, each (N, N)
        Panel title → cosine similarities (rows: captions, columns: items).
    row_labels : sequence of str
        The N captions, written left of the first panel; the columns are numbered 1 to N.
    title : str
    """
    import matplotlib.pyplot as plt

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
        ax.set_xticks(range(n), [str(j + 1) for j in range(n)])
        ax.set_xlabel("picture", fontsize=9)
        for i in range(n):
            ax.text(i, i, f"{round(m[i, i], 1) + 0.0:.1f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(m[i, i]) > 0.6 else "black")
    axes[0, 0].set_yticks(range(n), row_labels, fontsize=9)
    axes[0, 0].set_ylabel("caption", fontsize=9)
    fig.colorbar(im, ax=axes[0].tolist(), shrink=0.9, label="cosine similarity")
    fig.suptitle(title, fontweight="bold", fontsize=11)
    return fig


def plot_loss_curves(losses: Mapping[str, Sequence[float]], guessing: Mapping[str, float] | None = None,
                     title: str = "Training loss") -> Figure:
    """Training loss at every step from step 1, on a logarithmic step axis so that the first steps show,
    with the loss of guessing as dashed lines.

    Parameters
    ----------
    losses : mapping of str to sequence of float
        Curve name → loss at every step.
    guessing : mapping of str to float, optional
        Curve name → the loss of a model that scores every pair alike (``log N`` for a batch of N pairs).
    title : str
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained", dpi=100)
    for i, (name, values) in enumerate(losses.items()):
        v = np.asarray(values, dtype=float)
        if v.ndim != 1 or v.size < 2:
            raise ValueError(f"expected a list of at least 2 losses for {name!r}, got {v.size}")
        ax.plot(np.arange(1, v.size + 1), v, color=f"C{i}", lw=0.8, label=name)
        if guessing and name in guessing:
            ax.axhline(guessing[name], color="black", ls="--", lw=1, label=f"guessing ({guessing[name]:.2f})")
    ax.set_xscale("log")
    ax.set_xlim(1, max(len(v) for v in losses.values()))
    ax.set_xlabel("training step (logarithmic)")
    ax.set_ylabel("loss of the step's batch")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontweight="bold", fontsize=11)
    ax.legend(fontsize=9, ncols=2)
    return fig
