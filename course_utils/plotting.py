"""The course's figures: similarity heatmaps, picture grids, channel splits and sound views.

Every function draws on a new matplotlib figure and returns it; none changes
global rcParams, so importing this module has no side effects.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numpy.typing import ArrayLike

from course_utils.image_arrays import channel_colormap
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


def rgb_channels(images: dict, title: str = "An RGB image is three 2-D channels stacked together",
                 width: float = 8.0):
    """Figure 5.2: each image beside its Red, Green and Blue channels.

    Each channel is drawn from black (0) to its full colour (255), so a bright
    channel looks bright, and all channel panels share the 0-255 scale shown
    by one labelled colourbar per channel.

    Parameters
    ----------
    images : dict of str to PIL.Image or (H, W, 3) uint8 array
        Row label → image.
    title : str
    width : float
        Figure width in inches (8 in = 800 px at 100 dpi, the book's column).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``images`` is empty or an image is not ``(H, W, 3)``.
    """
    import matplotlib.pyplot as plt

    if not images:
        raise ValueError("rgb_channels needs at least one image, got an empty dict")
    arrays = {}
    for name, image in images.items():
        arr = np.asarray(image)
        if arr.ndim != 3 or arr.shape[2] != 3:
            raise ValueError(f"image {name!r} must be (H, W, 3) RGB, got shape {arr.shape}")
        arrays[name] = arr
    aspect = max(a.shape[0] / a.shape[1] for a in arrays.values())
    panel = (width - 0.6) / 4
    rows = len(arrays)
    # One extra thin row holds the three colourbars, so every column keeps the same width.
    fig, axes = plt.subplots(rows + 1, 4, figsize=(width, rows * (panel * aspect + 0.4) + 1.2), squeeze=False,
                             height_ratios=[panel * aspect] * rows + [0.1], layout="constrained")
    axes[rows, 0].axis("off")
    shown = {}
    for row, (name, arr) in enumerate(arrays.items()):
        axes[row, 0].imshow(arr)
        axes[row, 0].set_ylabel(name, fontsize=10, fontweight="bold")
        for c, letter in enumerate("RGB"):
            ax = axes[row, c + 1]
            shown[letter] = ax.imshow(arr[:, :, c], cmap=channel_colormap(letter), vmin=0, vmax=255)
            ax.set_xlabel(f"mean {arr[:, :, c].mean():.0f}", fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    for col, heading in enumerate(["colour image", "= R channel", "+ G channel", "+ B channel"]):
        axes[0, col].set_title(heading, fontsize=10)
    for c, letter in enumerate("RGB"):
        fig.colorbar(shown[letter], cax=axes[rows, c + 1], orientation="horizontal", ticks=[0, 128, 255],
                     label=f"{letter} value (0 = black)")
    fig.suptitle(title, fontweight="bold")
    return fig


def plot_sound(y: ArrayLike, sr: int, title: str, n_mfcc: int = 20):
    """Three views of one clip: waveform on top, mel spectrogram (dB) and MFCCs below.

    The figure is 8 inches wide (800 px at 100 dpi), so it fits the book's
    column without shrinking.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio (checked with :func:`course_utils.validation.check_audio`).
    sr : int
        Sample rate in Hz.
    title : str
        Title of the figure (the sound's name).
    n_mfcc : int
        MFCCs per frame in the third panel.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import librosa
    import librosa.display
    import matplotlib.pyplot as plt

    y, sr = check_audio(y, sr)
    fig = plt.figure(figsize=(8, 5.2), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.6])
    wave_ax = fig.add_subplot(grid[0, :])
    mel_ax, mfcc_ax = fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[1, 1])
    librosa.display.waveshow(y, sr=sr, ax=wave_ax, color="tab:blue")
    wave_ax.set(title="Waveform", xlabel="time (s)", ylabel="amplitude")
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr), ref=np.max)
    img = librosa.display.specshow(mel_db, sr=sr, x_axis="time", y_axis="mel", ax=mel_ax, cmap="magma")
    mel_ax.set(title="Mel spectrogram", xlabel="time (s)", ylabel="frequency (Hz, mel scale)")
    fig.colorbar(img, ax=mel_ax, format="%+.0f", label="level (dB below the clip's peak)")
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)
    # Colours scaled to coefficients 1.. (coefficient 0, the loudness, is far below and saturates).
    lim = float(np.abs(mfcc[1:]).max()) if n_mfcc > 1 else float(np.abs(mfcc).max())
    saturates = bool(mfcc.min() < -lim)
    img = librosa.display.specshow(mfcc, sr=sr, x_axis="time", ax=mfcc_ax, cmap="coolwarm", vmin=-lim, vmax=lim)
    mfcc_ax.set(title=f"{n_mfcc} MFCCs per frame", xlabel="time (s)", ylabel="MFCC index")
    mfcc_ax.set_yticks(np.arange(0, n_mfcc, 5))
    fig.colorbar(img, ax=mfcc_ax, extend="min" if saturates else "neither",
                 label="MFCC value" + (" (MFCC 0 off scale)" if saturates else ""))
    fig.suptitle(title, fontweight="bold")
    return fig


def plot_mfcc_aggregation(mfcc: ArrayLike, sr: int = 22050, hop_length: int = 512,
                          title: str = "From MFCC frames to one embedding"):
    """Figure 5.3: an MFCC matrix (coefficients × frames) and the embedding its mean and std make.

    Top: the matrix, one column per frame. Bottom: the embedding itself, the
    ``n_mfcc`` means over time followed by the ``n_mfcc`` standard deviations,
    drawn on one axis so that their sizes can be compared (MFCC 0 dwarfs the rest).

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
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), height_ratios=[1.2, 1], layout="constrained")
    seconds = frames * hop_length / sr
    # Coefficient 0 (loudness) is hundreds below the others: scale the colours to
    # coefficients 1.. so their pattern stays visible, and let coefficient 0 saturate.
    lim = float(np.abs(m[1:]).max()) if n_mfcc > 1 else float(np.abs(m).max())
    saturates = bool(m.min() < -lim)
    img = top.imshow(m, aspect="auto", origin="lower", cmap="coolwarm", vmin=-lim, vmax=lim,
                     extent=(0, seconds, -0.5, n_mfcc - 0.5), interpolation="nearest")
    top.set(title=f"MFCC matrix: {n_mfcc} coefficients × {frames} frames", xlabel="time (s)", ylabel="MFCC index")
    top.set_yticks(np.arange(0, n_mfcc, 5))
    fig.colorbar(img, ax=top, extend="min" if saturates else "neither",
                 label="MFCC value" + ("\n(MFCC 0 off scale)" if saturates else ""))
    embedding = np.concatenate([m.mean(axis=1), m.std(axis=1)])
    positions = np.arange(2 * n_mfcc)
    bottom.bar(positions[:n_mfcc], embedding[:n_mfcc], color="tab:blue", label="mean over time")
    bottom.bar(positions[n_mfcc:], embedding[n_mfcc:], color="tab:orange", label="std over time")
    bottom.axhline(0, color="black", linewidth=0.6)
    ticks = [p for p in positions if p % n_mfcc % 5 == 0]
    bottom.set_xticks(ticks, [f"{'mean' if p < n_mfcc else 'std'} {p % n_mfcc}" for p in ticks], rotation=45)
    bottom.set(title=f"The embedding: {n_mfcc} means then {n_mfcc} stds", xlabel="dimension (statistic, MFCC index)",
               ylabel="value", xlim=(-1, 2 * n_mfcc))
    bottom.legend(loc="lower right")
    fig.suptitle(f"{title}: {n_mfcc} means + {n_mfcc} stds = a {2 * n_mfcc}-d embedding", fontweight="bold")
    return fig


def plot_mel_spectrograms(clips: dict, sr: int, title: str = "Mel spectrograms", top_db: float = 80.0):
    """Mel spectrograms of several clips stacked on one time axis and one colour scale.

    Each clip is drawn in decibels below its own peak, and every panel uses the
    same range (``-top_db`` to 0 dB), so the panels can be compared.

    Parameters
    ----------
    clips : dict of str to array_like
        Panel title → mono audio at ``sr``.
    sr : int
        Sample rate in Hz.
    title : str
        Title of the figure.
    top_db : float
        Dynamic range shown, in dB below each clip's peak.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import librosa
    import librosa.display
    import matplotlib.pyplot as plt

    if not clips:
        raise ValueError("expected at least one clip, got an empty dict")
    fig, axes = plt.subplots(len(clips), 1, figsize=(8, 1.3 + 1.9 * len(clips)), sharex=True,
                             squeeze=False, layout="constrained")
    for ax, (name, clip) in zip(axes[:, 0], clips.items()):
        y, sr = check_audio(clip, sr)
        mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr), ref=np.max, top_db=top_db)
        img = librosa.display.specshow(mel_db, sr=sr, x_axis="time", y_axis="mel", ax=ax, cmap="magma",
                                       vmin=-top_db, vmax=0)
        ax.set(title=name, xlabel="", ylabel="Hz (mel scale)")
    axes[-1, 0].set_xlabel("time (s)")
    fig.colorbar(img, ax=axes[:, 0].tolist(), format="%+.0f", label="level (dB below each clip's peak)")
    fig.suptitle(title, fontweight="bold")
    return fig
