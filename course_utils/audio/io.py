"""Reading audio files and getting mono float samples (chapter 5.2).

:func:`load_audio` is ``librosa.load`` with the course's checks: a missing
file, a file that is not audio, NaN samples and a truncated file each get
one sentence saying what was wrong. :func:`to_mono` turns stereo or integer
PCM into the mono float samples every embedding expects.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import librosa
import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import audio_as_float, check_sample_rate

#: librosa's default sample rate, used by the book.
DEFAULT_SR = 22050


def to_mono(y: ArrayLike) -> np.ndarray:
    """Return audio as a mono float32 array in [-1, 1], averaging channels and scaling PCM.

    Parameters
    ----------
    y : array_like
        Mono ``(n,)`` or multichannel audio. A 2-D array is read as
        ``(channels, n)`` (librosa's layout) when its first axis is the short
        one, and as ``(n, channels)`` (soundfile's layout) otherwise; at most
        8 channels. Integer PCM (int16, int32, uint8) is scaled to [-1, 1].

    Returns
    -------
    numpy.ndarray of float32, shape (n,)

    Raises
    ------
    ValueError
        On empty arrays, NaN/Inf samples, more than two dimensions or more
        than 8 channels, or a non-numeric dtype.

    Examples
    --------
    >>> import numpy as np
    >>> to_mono(np.array([[0, 16384], [0, -16384]], dtype=np.int16)).tolist()
    [0.0, 0.0]
    >>> to_mono(np.array([16384, -32768], dtype=np.int16)).tolist()
    [0.5, -1.0]
    """
    arr = audio_as_float(y)
    if arr.ndim == 1:
        return arr
    if arr.ndim == 2:
        channel_axis = 0 if arr.shape[0] <= arr.shape[1] else 1
        if arr.shape[channel_axis] <= 8:
            return arr.mean(axis=channel_axis, dtype=np.float64).astype(np.float32)
    raise ValueError(
        f"expected mono (n,) or multichannel (channels, n) audio with at most 8 channels, "
        f"got shape {arr.shape}; pass one clip at a time"
    )


def load_audio(path: str | os.PathLike, sr: int | None = DEFAULT_SR, mono: bool = True) -> tuple[np.ndarray, int]:
    """Read an audio file (wav, flac, ogg, mp3...) with librosa, resampled to ``sr``.

    With the defaults this is exactly ``librosa.load(path)``, as in the book.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    sr : int or None
        Target sample rate; ``None`` keeps the file's own rate.
    mono : bool
        Mix the channels down to mono.

    Returns
    -------
    y : numpy.ndarray of float32
        Samples in [-1, 1]; shape ``(n,)`` when ``mono``.
    sr : int
        The sample rate of ``y``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be decoded as audio, or ``sr`` is not a valid rate.
    """
    path = Path(path)
    if sr is not None:
        sr = check_sample_rate(sr)
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {path}; check the path (relative paths start at {Path.cwd()})")
    try:
        with warnings.catch_warnings():
            # librosa warns before falling back from soundfile to audioread; we report the outcome instead.
            warnings.simplefilter("ignore")
            y, rate = librosa.load(path, sr=sr, mono=mono)
    except Exception as err:  # soundfile, audioread and librosa raise many unrelated types
        raise ValueError(
            f"could not decode {path.name} as audio ({type(err).__name__}); "
            "check that it is a wav, flac, ogg or mp3 file and not empty or truncated"
        ) from err
    if y.size == 0:
        raise ValueError(f"{path.name} decoded to zero samples; check that the file holds audio")
    return y, int(rate)
