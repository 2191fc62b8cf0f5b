"""Reading audio files and getting mono float samples (chapter 5.2).

:func:`load_audio` is ``librosa.load`` with the course's checks, each
answered with one sentence:

- a missing file raises ``FileNotFoundError``;
- a file that is not audio (or cannot be decoded at all) raises
  ``ValueError`` naming the decoder's reason;
- a file that decodes but holds NaN or infinite samples, or float samples far
  outside [-1, 1], raises ``ValueError`` naming the first bad sample;
- a truncated file (an interrupted download or copy) that decodes partially
  is loaded, and a :class:`TruncatedAudioWarning` (a ``UserWarning``) says how
  much is missing. Its first part is still good audio, so it is not refused.

:func:`to_mono` turns stereo or integer PCM into the mono float samples every
embedding expects.
"""

from __future__ import annotations

import os
import struct
import warnings
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf
from numpy.typing import ArrayLike

from course_utils.validation import audio_as_float, check_sample_rate

__all__ = ["DEFAULT_SR", "TruncatedAudioWarning", "load_audio", "to_mono"]

#: librosa's default sample rate, used by the book.
DEFAULT_SR = 22050

#: First bytes of the audio containers the course expects (WAV, WAV big-endian, RF64, FLAC, Ogg, MP3, AIFF).
_AUDIO_MAGIC = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2",
                b"\xff\xe3", b"FORM")
#: The longest possible Ogg page: 27-byte header, 255 lacing values, 255 segments of 255 bytes.
_MAX_OGG_PAGE = 27 + 255 + 255 * 255


class TruncatedAudioWarning(UserWarning):
    """An audio file ends before its header says it should; what is there was loaded."""


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
        On empty arrays, NaN/Inf samples, float samples far outside [-1, 1],
        more than two dimensions or more than 8 channels, or a non-numeric dtype.

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

    With the defaults this gives exactly the samples of ``librosa.load(path)``,
    as in the book: the file is decoded at its own rate, checked, mixed down
    and then resampled with librosa's default resampler, the steps
    ``librosa.load`` takes.

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
        Samples in [-1, 1]; shape ``(n,)`` when ``mono``, else ``(channels, n)``
        for a multichannel file.
    sr : int
        The sample rate of ``y``.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file cannot be decoded as audio (the message names the
        decoder's reason), decodes to no samples, holds NaN or infinite
        samples (the message names the first one), or holds float samples far
        outside [-1, 1]; or if ``sr`` is not a valid rate.
    TypeError
        If ``mono`` is not a bool.

    Warns
    -----
    TruncatedAudioWarning
        A ``UserWarning`` when the file ends before its header says it should
        (a WAV whose data chunk is shorter than announced, an Ogg stream whose
        last page is cut or lacks its end-of-stream mark, an MP3 or FLAC
        that decodes to fewer samples than its header announces). The samples
        that are there are returned.
    """
    if sr is not None:
        sr = check_sample_rate(sr)
    if not isinstance(mono, (bool, np.bool_)):
        raise TypeError(f"expected mono as True or False, got {mono!r} ({type(mono).__name__})")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no audio file at {path}; check the path (relative paths start at {Path.cwd()})")
    try:
        with warnings.catch_warnings():
            # librosa < 1.0 falls back from soundfile to audioread with warnings of its own; the
            # outcome is reported below instead, in one sentence.
            warnings.filterwarnings("ignore", message="PySoundFile failed", category=UserWarning)
            warnings.filterwarnings("ignore", message=r"(?s).*__audioread_load", category=FutureWarning)
            warnings.filterwarnings("ignore", message=r"'(aifc|audioop|sunau)' is deprecated",
                                    category=DeprecationWarning)
            # mono=False: librosa's own mix-down refuses NaN with a message that hides where it is.
            y, native_sr = librosa.load(path, sr=None, mono=False)
    except Exception:  # soundfile, audioread and librosa raise many unrelated types
        raise ValueError(_decode_failure(path)) from None
    native_sr = int(native_sr)
    if y.size == 0:
        raise ValueError(f"{path.name} decoded to zero samples; check that the file holds audio")
    _check_decoded(y, native_sr, path.name)
    _warn_if_truncated(path, decoded_frames=y.shape[-1], native_sr=native_sr)
    if mono:
        y = librosa.to_mono(y)
    if sr is None:
        return y, native_sr
    return librosa.resample(y, orig_sr=native_sr, target_sr=sr, res_type="soxr_hq"), sr


def _decode_failure(path: Path) -> str:
    """One sentence on why ``path`` could not be decoded: soundfile's reason, and the first bytes if not audio."""
    try:
        sf.read(path, dtype="float32")                      # the whole file: damage may lie past the header
        reason = "soundfile reads it, but librosa could not decode it"
    except sf.LibsndfileError as err:
        reason = f"soundfile says {err.error_string.rstrip('.')!r}"
    except Exception as err:  # a broken file can make libsndfile's Python wrapper fail in other ways
        reason = f"soundfile raised {type(err).__name__}"
    with open(path, "rb") as handle:
        head = handle.read(16)
    if not head:
        reason = "the file is empty (0 bytes)"
    elif not head.startswith(_AUDIO_MAGIC):
        reason += f", and the file starts with {head!r}, not with an audio header"
    return (f"could not decode {path.name} as audio: {reason}; "
            "check that it is a complete wav, flac, ogg or mp3 file")


def _check_decoded(y: np.ndarray, native_sr: int, name: str) -> None:
    """Refuse decoded samples that are NaN/Inf (naming the first) or float values far outside [-1, 1]."""
    finite = np.isfinite(y) if y.ndim == 1 else np.isfinite(y).all(axis=0)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        first = int(bad[0])
        column = y[first] if y.ndim == 1 else y[:, first]
        value = float(np.ravel(column)[~np.isfinite(np.ravel(column))][0])
        what = "NaN" if np.isnan(value) else f"{value:+}"
        raise ValueError(
            f"{name} decoded, but holds {what} at sample {first} ({first / native_sr:.3f} s; "
            f"{bad.size} non-finite sample{'s' if bad.size > 1 else ''} in all), so the file itself is broken, "
            "not the decoder; re-export it from its source, or read it with soundfile.read and clean the "
            "samples with np.nan_to_num"
        )
    try:
        audio_as_float(y)
    except ValueError as err:
        raise ValueError(f"{name} decoded, but its samples are out of range: {err}") from None


def _warn_if_truncated(path: Path, decoded_frames: int, native_sr: int) -> None:
    """Warn (:class:`TruncatedAudioWarning`) if the file ends before its header says it should."""
    with open(path, "rb") as handle:
        head = handle.read(12)
        size = os.fstat(handle.fileno()).st_size
        if head[:4] in (b"RIFF", b"RIFX") and head[8:12] == b"WAVE":
            detail = _wav_shortfall(handle, size, big_endian=head[:4] == b"RIFX")
        elif head[:4] == b"OggS":
            handle.seek(max(0, size - _MAX_OGG_PAGE - 1024))
            detail = _ogg_shortfall(handle.read())
        else:
            detail = None
    if detail is None:
        try:
            announced = sf.info(path).frames
        except Exception:  # decoded by audioread: no frame count to compare against
            announced = 0
        if announced - decoded_frames > max(2048, announced // 100):
            detail = (f"its header announces {announced} samples per channel ({announced / native_sr:.2f} s) "
                      f"but only {decoded_frames} decoded")
    if detail is not None:
        warnings.warn(
            f"{path.name} looks truncated: {detail}; loaded the {decoded_frames / native_sr:.2f} s that are "
            "there, so copy or download the file again if you need all of it",
            TruncatedAudioWarning, stacklevel=3,
        )


def _wav_shortfall(handle, size: int, big_endian: bool) -> str | None:
    """Compare a WAV file's ``data`` chunk size with the bytes that follow it; None if they agree."""
    order = ">" if big_endian else "<"
    offset = 12
    for _ in range(64):                                   # a WAV has a handful of chunks before ``data``
        handle.seek(offset)
        header = handle.read(8)
        if len(header) < 8:
            return None
        chunk, length = header[:4], struct.unpack(order + "I", header[4:])[0]
        if chunk == b"data":
            available = size - offset - 8
            if length in (0, 0xFFFFFFFF) or length <= available:   # 0 / 0xFFFFFFFF: written by a stream
                return None
            return f"its header announces {length} bytes of samples but only {available} follow"
        offset += 8 + length + (length & 1)
    return None


def _ogg_shortfall(tail: bytes) -> str | None:
    """Check that the last Ogg page ends the file and carries the end-of-stream flag; None if so."""
    pos = tail.rfind(b"OggS")
    while pos >= 0:
        if pos + 27 <= len(tail) and tail[pos + 4] == 0:
            n_segments = tail[pos + 26]
            lacing = tail[pos + 27:pos + 27 + n_segments]
            if len(lacing) == n_segments and pos + 27 + n_segments + sum(lacing) == len(tail):
                if tail[pos + 5] & 0x04:
                    return None
                return "its last Ogg page lacks the end-of-stream mark"
        pos = tail.rfind(b"OggS", 0, pos)
    return "its last Ogg page is cut short"
