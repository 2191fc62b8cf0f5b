"""The course's figures: similarity heatmaps, picture grids, channel splits and sound views.

Every function draws on a new matplotlib figure and returns it; none changes
global rcParams, so importing this module has no side effects.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_audio


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


def plot_sound(y: ArrayLike, sr: int, title: str, n_mfcc: int = 20):
    """Three views of one clip: waveform, mel spectrogram (dB) and MFCCs.

    Parameters
    ----------
    y : array_like, shape (n,)
    sr : int
    title : str
        Title of the figure (the sound's name).
    n_mfcc : int

    Returns
    -------
    matplotlib.figure.Figure
    """
    import librosa
    import librosa.display
    import matplotlib.pyplot as plt


    y, sr = check_audio(y, sr)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2), layout="constrained")
    librosa.display.waveshow(y, sr=sr, ax=axes[0], color="tab:blue")
    axes[0].set(title="Waveform", xlabel="time (s)", ylabel="amplitude")
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr), ref=np.max)
    img = librosa.display.specshow(mel_db, sr=sr, x_axis="time", y_axis="mel", ax=axes[1], cmap="magma")
    axes[1].set(title="Mel spectrogram", xlabel="time (s)", ylabel="frequency (Hz, mel scale)")
    fig.colorbar(img, ax=axes[1], format="%+.0f dB")
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)
    # Colours scaled to coefficients 1.. (coefficient 0, the loudness, is far below and saturates).
    lim = float(np.abs(mfcc[1:]).max()) if n_mfcc > 1 else float(np.abs(mfcc).max())
    img = librosa.display.specshow(mfcc, sr=sr, x_axis="time", ax=axes[2], cmap="coolwarm", vmin=-lim, vmax=lim)
    axes[2].set(title=f"{n_mfcc} MFCCs per frame", xlabel="time (s)", ylabel="MFCC index")
    axes[2].set_yticks(np.arange(0, n_mfcc, 5))
    fig.colorbar(img, ax=axes[2], extend="min" if mfcc.min() < -lim else "neither")
    fig.suptitle(title, fontweight="bold")
    return fig


def plot_mfcc_aggregation(mfcc: ArrayLike, sr: int = 22050, hop_length: int = 512,
                          title: str = "From MFCC frames to one embedding"):
    """Figure 5.3: an MFCC matrix (coefficients × frames) and the mean and std that summarise it.

    Parameters
    ----------
    mfcc : array_like, shape (n_mfcc, frames)
        The output of ``librosa.feature.mfcc``.
    sr, hop_length : int
        Used to label the time axis in seconds.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    m = np.asarray(mfcc, dtype=float)
    if m.ndim != 2 or min(m.shape) == 0:
        raise ValueError(f"expected an MFCC matrix of shape (n_mfcc, frames), got shape {m.shape}")
    n_mfcc, frames = m.shape
    fig, axes = plt.subplots(1, 3, figsize=(12, 4), width_ratios=[6, 1, 1], layout="constrained")
    seconds = frames * hop_length / sr
    # Coefficient 0 (loudness) is hundreds below the others: scale the colours to
    # coefficients 1.. so their pattern stays visible, and let coefficient 0 saturate.
    lim = float(np.abs(m[1:]).max()) if n_mfcc > 1 else float(np.abs(m).max())
    img = axes[0].imshow(m, aspect="auto", origin="lower", cmap="coolwarm", vmin=-lim, vmax=lim,
                         extent=(0, seconds, -0.5, n_mfcc - 0.5), interpolation="nearest")
    axes[0].set(title=f"{n_mfcc} coefficients × {frames} frames", xlabel="time (s)", ylabel="MFCC index")
    rows = np.arange(n_mfcc)
    axes[0].set_yticks(rows[::2])
    fig.colorbar(img, ax=axes[0], label="value (MFCC 0 off scale)",
                 extend="min" if m.min() < -lim else "neither")
    for ax, values, name, colour in ((axes[1], m.mean(axis=1), "mean", "tab:blue"),
                                     (axes[2], m.std(axis=1), "std", "tab:orange")):
        ax.barh(rows, values, color=colour)
        ax.set(title=f"{name} over time\n({n_mfcc} values)", xlabel=name, ylim=(-0.5, n_mfcc - 0.5))
        ax.set_yticks(rows[::2])
        ax.axvline(0, color="black", linewidth=0.6)
    fig.suptitle(f"{title}: {n_mfcc} means + {n_mfcc} stds = a {2 * n_mfcc}-d embedding", fontweight="bold")
    return fig
