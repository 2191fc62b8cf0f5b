"""Figures of chapter 5.2: a sound's waveform, mel spectrogram and MFCCs, and how MFCCs become one vector.

Every function draws on a new matplotlib figure, 8 inches wide (the book's column), and returns it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_audio


def _mfcc_colour_limit(mfcc: np.ndarray) -> tuple[float, bool]:
    """Colour limit scaled to MFCC 1.. (MFCC 0, the loudness, is far below them), and whether MFCC 0 saturates."""
    lim = float(np.abs(mfcc[1:]).max()) if len(mfcc) > 1 else float(np.abs(mfcc).max())
    return lim, bool(mfcc.min() < -lim)


def plot_sound(y: ArrayLike, sr: int, title: str):
    """Three views of one clip: waveform on top, mel spectrogram (dB) and 20 MFCCs below.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    title : str
        Title of the figure (the sound's name).

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
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
    lim, saturates = _mfcc_colour_limit(mfcc)
    img = librosa.display.specshow(mfcc, sr=sr, x_axis="time", ax=mfcc_ax, cmap="coolwarm", vmin=-lim, vmax=lim)
    mfcc_ax.set(title="20 MFCCs per frame", xlabel="time (s)", ylabel="MFCC index")
    mfcc_ax.set_yticks(np.arange(0, 20, 5))
    fig.colorbar(img, ax=mfcc_ax, extend="min" if saturates else "neither",
                 label="MFCC value" + (" (MFCC 0 off scale)" if saturates else ""))
    fig.suptitle(title, fontweight="bold")
    return fig


def plot_mfcc_aggregation(mfcc: ArrayLike, sr: int = 22050, title: str = "From MFCC frames to one embedding"):
    """Figure 5.3: an MFCC matrix (coefficients × frames) above the embedding its means and stds make.

    Parameters
    ----------
    mfcc : array_like, shape (n_mfcc, frames)
        The output of ``librosa.feature.mfcc``.
    sr : int
        Used to label the time axis in seconds (librosa's hop of 512 samples).
    title : str
        Start of the figure's title.

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
    lim, saturates = _mfcc_colour_limit(m)
    img = top.imshow(m, aspect="auto", origin="lower", cmap="coolwarm", vmin=-lim, vmax=lim,
                     extent=(0, frames * 512 / sr, -0.5, n_mfcc - 0.5), interpolation="nearest")
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


def plot_mel_spectrograms(clips: dict, sr: int, title: str = "Mel spectrograms"):
    """Mel spectrograms of several clips stacked, each in dB below its own peak on one shared 80 dB scale.

    Parameters
    ----------
    clips : dict of str to array_like
        Panel title → mono audio at ``sr``.
    sr : int
        Sample rate in Hz.
    title : str
        Title of the figure.

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
        mel_db = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=sr), ref=np.max, top_db=80.0)
        img = librosa.display.specshow(mel_db, sr=sr, x_axis="time", y_axis="mel", ax=ax, cmap="magma",
                                       vmin=-80.0, vmax=0)
        ax.set(title=name, xlabel="", ylabel="Hz (mel scale)")
    axes[-1, 0].set_xlabel("time (s)")
    fig.colorbar(img, ax=axes[:, 0].tolist(), format="%+.0f", label="level (dB below each clip's peak)")
    fig.suptitle(title, fontweight="bold")
    return fig
