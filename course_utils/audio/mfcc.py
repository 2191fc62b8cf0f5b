"""The book's audio embedding: mean and standard deviation of each MFCC over time (chapter 5.2).

Per short frame, librosa sums the power spectrum into mel bands, takes the
logarithm and then a discrete cosine transform across the bands: the first
coefficients (MFCCs) describe the spectrum's shape, i.e. the timbre, and
coefficient 0 its overall level. Each coefficient's mean and standard
deviation over time make a 40-number vector whatever the clip's length.

Audio is checked by :func:`course_utils.validation.check_audio`: a silent clip,
for example, would still give librosa a plausible-looking vector, so it raises.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import librosa
import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_audio, check_sample_rate, check_scalar, check_sequence

#: Above this rate librosa's default 2 048-point FFT leaves some of the 128 mel bands empty (it warns).
MAX_MFCC_SR = 96_000


def _check_mfcc_args(sr: int, n_mfcc: object) -> tuple[int, int]:
    if sr > MAX_MFCC_SR:
        raise ValueError(f"expected a sample rate up to {MAX_MFCC_SR} Hz for the book's MFCC settings (2048-point FFT, "
                         f"128 mel bands), got {sr} Hz, where some mel bands would be empty; resample first: "
                         f"librosa.resample(y, orig_sr={sr}, target_sr=22050)")
    # librosa's default mel filterbank has 128 bands: the DCT cannot return more coefficients than that.
    return sr, check_scalar(n_mfcc, "n_mfcc", int, min_val=1, max_val=128)


def mfcc_embedding(y: ArrayLike, sr: int, n_mfcc: int = 20) -> np.ndarray:
    """The book's audio embedding: mean and standard deviation of each MFCC over time.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, float in [-1, 1] or integer PCM, at least 2 048 samples
        (one STFT window), neither silent nor constant.
    sr : int
        Sample rate in Hz.
    n_mfcc : int
        Coefficients per frame (20 in the book).

    Returns
    -------
    numpy.ndarray of float32, shape (2 * n_mfcc,)
        The ``n_mfcc`` means followed by the ``n_mfcc`` standard deviations.

    Examples
    --------
    >>> from course_utils.audio.sounds import brass_tone
    >>> mfcc_embedding(brass_tone(440.0, duration=0.5), sr=22050).shape
    (40,)
    """
    y, sr = check_audio(y, sr)
    sr, n_mfcc = _check_mfcc_args(sr, n_mfcc)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)      # (n_mfcc, frames)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])


def mfcc_embeddings(clips: Sequence[ArrayLike] | Iterable[ArrayLike], sr: int, n_mfcc: int = 20) -> np.ndarray:
    """MFCC embeddings of many clips at once; the same numbers as :func:`mfcc_embedding` (to float32 rounding).

    Clips of equal length go through librosa's STFT and mel filterbank
    together; the decibel step is done per clip, since on a stacked batch
    librosa would clip every clip's range (``top_db=80``) relative to the
    loudest clip, which changes quiet clips' embeddings.

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

    Examples
    --------
    >>> from course_utils.audio.sounds import brass_tone, clarinet_tone
    >>> mfcc_embeddings([brass_tone(440.0), clarinet_tone(220.0)], sr=22050).shape
    (2, 40)
    """
    sr, n_mfcc = _check_mfcc_args(check_sample_rate(sr), n_mfcc)
    checked = []
    for i, clip in enumerate(check_sequence(clips, "clips", "mono clips")):
        try:
            checked.append(check_audio(clip, sr)[0])
        except ValueError as err:
            raise ValueError(f"clip {i}: {err}") from None
    if not checked:
        raise ValueError("expected at least one clip, got an empty sequence")
    out = np.empty((len(checked), 2 * n_mfcc), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, clip in enumerate(checked):
        by_length.setdefault(clip.size, []).append(i)
    for indices in by_length.values():
        batch = np.stack([checked[i] for i in indices])                      # (b, n)
        mel = librosa.feature.melspectrogram(y=batch, sr=sr)                 # (b, n_mels, frames)
        log_mel = np.stack([librosa.power_to_db(m) for m in mel])            # top_db per clip
        mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=n_mfcc)               # (b, n_mfcc, frames)
        out[indices] = np.concatenate([mfcc.mean(axis=2), mfcc.std(axis=2)], axis=1)
    return out
