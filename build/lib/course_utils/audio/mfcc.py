"""The book's audio embedding: mean and standard deviation of each MFCC over time (chapter 5.2).

MFCC stands for mel-frequency cepstral coefficients. Per short frame of
sound, librosa takes the power spectrum, sums it into mel bands (a pitch
scale spaced as hearing is), takes the logarithm (decibels) and then a
discrete cosine transform (DCT) across the bands; the first coefficients of
that DCT (the *cepstrum*) describe the spectrum's overall shape, i.e. the
timbre, and coefficient 0 its overall level. The book keeps each
coefficient's mean and standard deviation over time: 20 coefficients give a
40-number vector whatever the clip's length.

What the checks do (see :mod:`course_utils.validation`): audio must be mono,
finite, float in [-1, 1] or integer PCM, at least one STFT window long
(2 048 samples, 0.093 s at 22 050 Hz), neither silent nor constant. A
silent clip would still give librosa a vector (only the loudness
coefficient non-zero) that looks valid and resembles every quiet sound, so
it raises instead.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import librosa
import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_audio, check_sample_rate, check_scalar

#: Above this rate librosa's default 2 048-point FFT leaves some of the 128 mel bands empty (it warns).
MAX_MFCC_SR = 96_000


def _check_mfcc_sr(sr: int) -> int:
    if sr > MAX_MFCC_SR:
        raise ValueError(f"expected a sample rate up to {MAX_MFCC_SR} Hz for the book's MFCC settings (2048-point FFT, "
                         f"128 mel bands), got {sr} Hz, where some mel bands would be empty; resample first: "
                         f"librosa.resample(y, orig_sr={sr}, target_sr=22050)")
    return sr


def mfcc_embedding(y: ArrayLike, sr: int, n_mfcc: int = 20) -> np.ndarray:
    """The book's audio embedding: mean and standard deviation of each MFCC over time.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, float in [-1, 1] or integer PCM (scaled to [-1, 1]).
        At least 2 048 samples (one STFT window) long, neither silent nor constant.
    sr : int
        Sample rate in Hz.
    n_mfcc : int
        Coefficients per frame (20 in the book).

    Returns
    -------
    numpy.ndarray of float32, shape (2 * n_mfcc,)
        The ``n_mfcc`` means followed by the ``n_mfcc`` standard deviations.

    Raises
    ------
    ValueError
        For stereo, empty, NaN/Inf, too short, silent or constant audio, float
        audio far outside [-1, 1] (int16 values stored as floats), a bad
        sample rate, or ``n_mfcc`` outside 1..128.
    TypeError
        If ``n_mfcc`` is not an integer.

    Examples
    --------
    >>> from course_utils.audio.sounds import brass_tone
    >>> mfcc_embedding(brass_tone(440.0, duration=0.5), sr=22050).shape
    (40,)
    """
    y, sr = check_audio(y, sr)
    sr, n_mfcc = _check_mfcc_sr(sr), _check_n_mfcc(n_mfcc)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)      # (n_mfcc, frames)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])


def _check_n_mfcc(n_mfcc: object) -> int:
    # librosa's default mel filterbank has 128 bands: the DCT cannot return more coefficients than that.
    return check_scalar(n_mfcc, "n_mfcc", int, min_val=1, max_val=128)


def mfcc_embeddings(clips: Sequence[ArrayLike] | Iterable[ArrayLike], sr: int, n_mfcc: int = 20) -> np.ndarray:
    """MFCC embeddings of many clips at once; the same numbers as :func:`mfcc_embedding` (to float32 rounding).

    Clips of equal length are stacked and go through librosa's STFT and mel
    filterbank (``librosa.feature.melspectrogram``) together. The decibel step is
    then done per clip: ``librosa.feature.mfcc`` on a stacked array would clip
    every clip's dynamic range (``top_db=80``) relative to the loudest clip of
    the batch, which changes quiet clips' embeddings.

    Parameters
    ----------
    clips : sequence of array_like
        Mono clips at the same sample rate (lengths may differ).
    sr : int
        Sample rate in Hz.
    n_mfcc : int
        Coefficients per frame.

    Returns
    -------
    numpy.ndarray of float32, shape (len(clips), 2 * n_mfcc)

    Raises
    ------
    ValueError
        If there are no clips, or any clip fails
        :func:`course_utils.validation.check_audio` (the message names the
        clip's index), or for a bad sample rate or ``n_mfcc``.
    TypeError
        If ``n_mfcc`` is not an integer.

    Examples
    --------
    >>> from course_utils.audio.sounds import brass_tone, clarinet_tone
    >>> mfcc_embeddings([brass_tone(440.0), clarinet_tone(220.0)], sr=22050).shape
    (2, 40)
    """
    sr = _check_mfcc_sr(check_sample_rate(sr))
    n_mfcc = _check_n_mfcc(n_mfcc)
    checked = []
    for i, clip in enumerate(clips):
        try:
            checked.append(check_audio(clip, sr)[0])
        except ValueError as err:
            raise ValueError(f"clip {i}: {err}") from None
    if not checked:
        raise ValueError("expected at least one clip, got an empty sequence")

    # librosa's own pipeline with its own defaults, as librosa.feature.mfcc runs it, except that the
    # decibel step (power_to_db, top_db=80) is done per clip: on a stacked batch it would clip every
    # clip's range relative to the loudest clip of the batch, which changes quiet clips' embeddings.
    out = np.empty((len(checked), 2 * n_mfcc), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, clip in enumerate(checked):
        by_length.setdefault(clip.size, []).append(i)
    for indices in by_length.values():
        batch = np.stack([checked[i] for i in indices])                      # (b, n)
        mel = librosa.feature.melspectrogram(y=batch, sr=sr)                 # (b, n_mels, frames)
        log_mel = np.stack([librosa.power_to_db(m) for m in mel])
        mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=n_mfcc)               # (b, n_mfcc, frames)
        out[indices] = np.concatenate([mfcc.mean(axis=2), mfcc.std(axis=2)], axis=1)
    return out
