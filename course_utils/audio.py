"""Audio as vectors: loading, checking and MFCC embeddings (chapter 5.2).

The book's recipe, in one line: compute 20 MFCCs per frame with
``librosa.feature.mfcc`` and keep, for each coefficient, its mean and its
standard deviation over time, giving a 40-number vector whatever the clip's
length. :func:`mfcc_embedding` does exactly that, after checking its input.

What the checks do
------------------
- Audio must be a 1-D array of samples. :func:`to_mono` turns stereo
  (``(channels, n)`` as librosa stores it, or ``(n, channels)`` as soundfile
  returns it) into mono and integer PCM (int16, int32, uint8) into floats in
  ``[-1, 1]``; :func:`mfcc_embedding` accepts integer PCM but refuses stereo.
- Empty audio, NaN or infinite samples, and sample rates that are not a whole
  number between 1 000 and 384 000 Hz raise a ``ValueError`` saying what was
  received and what to do.
- A clip shorter than one FFT window (2 048 samples, 0.093 s at 22 050 Hz)
  raises: its MFCCs would come from zero padding, not from the sound.
- **Silence raises.** A silent clip (peak below :data:`SILENCE_PEAK`, about
  -100 dBFS) has no timbre to describe. librosa would still return a vector
  (only the loudness coefficient is non-zero), which looks like a valid
  embedding and is similar to every quiet sound; :func:`mfcc_embedding`
  raises a ``ValueError`` instead, so a silent clip never produces a NaN or a
  meaningless similarity without you noticing.

The book's trumpet
------------------
The book loads ``librosa.ex('trumpet')``, which downloads a small Ogg file
into librosa's cache the first time. :func:`book_trumpet_path` finds it there
(``$LIBROSA_DATA_DIR`` or librosa's default cache) without touching the
network; :func:`prefetch_trumpet` downloads it while you are online.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from numpy.typing import ArrayLike

#: librosa's default sample rate, used by the book.
DEFAULT_SR = 22050
#: Sample rates outside this range are almost certainly a mistake (e.g. seconds passed as Hz).
MIN_SR, MAX_SR = 1000, 384000
#: Window of librosa's STFT inside ``librosa.feature.mfcc``; shorter clips are refused.
N_FFT = 2048
#: Peak absolute amplitude below which a clip counts as silent (about -100 dBFS).
SILENCE_PEAK = 1e-5

#: The book's trumpet: file name and sha256 in librosa's example registry.
TRUMPET_FILENAME = "sorohanro_-_solo-trumpet-06.ogg"
TRUMPET_SHA256 = "8374466fd3951d24509da6e799b132a0db0bdeda69d99c69d989a6888d3d727d"
#: The three similarities printed in the book (original↔slower, original↔higher, slower↔higher).
BOOK_TRUMPET_SIMILARITIES = {"original ↔ slower": 1.000, "original ↔ higher": 0.978, "slower ↔ higher": 0.980}


# ---------------------------------------------------------------------------
# Checking input
# ---------------------------------------------------------------------------

def check_sample_rate(sr: object) -> int:
    """Return ``sr`` as an int, or raise if it is not a plausible sample rate.

    Parameters
    ----------
    sr : int
        Samples per second, a whole number between :data:`MIN_SR` and :data:`MAX_SR`.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        If ``sr`` is not a whole number in that range.

    Examples
    --------
    >>> check_sample_rate(22050.0)
    22050
    """
    ok = isinstance(sr, (int, float, np.integer, np.floating)) and not isinstance(sr, bool)
    if ok and np.isfinite(sr) and float(sr).is_integer() and MIN_SR <= sr <= MAX_SR:
        return int(sr)
    raise ValueError(
        f"expected sr as a whole number of samples per second between {MIN_SR} and {MAX_SR}, "
        f"got {sr!r}; pass the rate returned by load_audio (22050 for librosa's default)"
    )


def _as_float(y: ArrayLike) -> np.ndarray:
    """Samples as float32; integer PCM is scaled into [-1, 1]."""
    arr = np.asarray(y)
    if arr.size == 0:
        raise ValueError(f"expected audio with at least one sample, got an empty array of shape {arr.shape}")
    kind = arr.dtype.kind
    if kind == "i":
        return (arr.astype(np.float64) / float(2 ** (8 * arr.dtype.itemsize - 1))).astype(np.float32)
    if kind == "u":
        half = float(2 ** (8 * arr.dtype.itemsize - 1))
        return ((arr.astype(np.float64) - half) / half).astype(np.float32)
    if kind != "f":
        raise ValueError(
            f"expected audio samples as floats or integer PCM, got dtype {arr.dtype}; "
            "convert the samples with np.asarray(y, dtype=np.float32)"
        )
    out = arr.astype(np.float32, copy=False)
    if not np.all(np.isfinite(out)):
        bad = int(np.flatnonzero(~np.isfinite(out.ravel()))[0])
        raise ValueError(
            f"expected finite audio samples, got NaN or Inf (first at flat index {bad} of {out.size}); "
            "check the decoder or the effect that produced this clip"
        )
    return out


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
    arr = _as_float(y)
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


def check_audio(y: ArrayLike, sr: object, min_samples: int = N_FFT) -> tuple[np.ndarray, int]:
    """Validate a clip for embedding: mono, finite, long enough and not silent.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono samples, float or integer PCM (scaled to [-1, 1]).
    sr : int
        Sample rate in Hz.
    min_samples : int
        Shortest accepted clip, in samples (one FFT window by default).

    Returns
    -------
    y : numpy.ndarray of float32, shape (n,)
    sr : int

    Raises
    ------
    ValueError
        For stereo, empty, NaN/Inf, too short or silent audio, or a bad sample rate.
    """
    sr = check_sample_rate(sr)
    arr = _as_float(y)
    if arr.ndim != 1:
        raise ValueError(
            f"expected audio as a 1-D float array, got shape {arr.shape}; pass mono audio or use to_mono()"
        )
    if arr.size < min_samples:
        raise ValueError(
            f"expected at least {min_samples} samples ({min_samples / sr:.3f} s at {sr} Hz), "
            f"got {arr.size}; pad the clip (np.pad) or use a longer one"
        )
    peak = float(np.max(np.abs(arr)))
    if peak < SILENCE_PEAK:
        raise ValueError(
            f"expected audible audio, got a silent clip (peak amplitude {peak:.1e}, below {SILENCE_PEAK:.0e}); "
            "silence has no timbre to embed, so drop or trim silent clips first"
        )
    return arr, sr


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------

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
    import librosa

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


# ---------------------------------------------------------------------------
# MFCC embeddings
# ---------------------------------------------------------------------------

def mfcc_embedding(y: ArrayLike, sr: int, n_mfcc: int = 20) -> np.ndarray:
    """The book's audio embedding: mean and standard deviation of each MFCC over time.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, float in [-1, 1] or integer PCM (scaled to [-1, 1]).
        At least :data:`N_FFT` samples long and not silent.
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
        For stereo, empty, NaN/Inf, too short or silent audio, a bad sample
        rate, or ``n_mfcc`` below 1.

    Examples
    --------
    >>> from course_utils.sounds import brass_tone
    >>> mfcc_embedding(brass_tone(440.0, duration=0.5), sr=22050).shape
    (40,)
    """
    import librosa

    y, sr = check_audio(y, sr)
    n_mfcc = _check_n_mfcc(n_mfcc)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)      # (n_mfcc, frames)
    return np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1)])


def _check_n_mfcc(n_mfcc: object) -> int:
    if isinstance(n_mfcc, (int, np.integer)) and not isinstance(n_mfcc, bool) and 1 <= n_mfcc <= 128:
        return int(n_mfcc)
    raise ValueError(f"expected n_mfcc as an integer between 1 and 128 (the mel bands), got {n_mfcc!r}")


def mfcc_embeddings(clips: Sequence[ArrayLike] | Iterable[ArrayLike], sr: int, n_mfcc: int = 20) -> np.ndarray:
    """MFCC embeddings of many clips at once; the same numbers as :func:`mfcc_embedding`, faster.

    Clips of equal length are stacked and go through the STFT and the mel
    filterbank together, with the filterbank built once. The decibel step is
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
        If there are no clips, or any clip fails :func:`check_audio` (the
        message names the clip's index).

    Examples
    --------
    >>> from course_utils.sounds import brass_tone, clarinet_tone
    >>> mfcc_embeddings([brass_tone(440.0), clarinet_tone(220.0)], sr=22050).shape
    (2, 40)
    """
    import librosa
    import scipy.fft

    sr = check_sample_rate(sr)
    n_mfcc = _check_n_mfcc(n_mfcc)
    checked = []
    for i, clip in enumerate(clips):
        try:
            checked.append(check_audio(clip, sr)[0])
        except ValueError as err:
            raise ValueError(f"clip {i}: {err}") from None
    if not checked:
        raise ValueError("expected at least one clip, got an empty sequence")

    # The same defaults as librosa.feature.mfcc → melspectrogram → stft.
    mel_basis = librosa.filters.mel(sr=sr, n_fft=N_FFT, n_mels=128)
    out = np.empty((len(checked), 2 * n_mfcc), dtype=np.float32)
    by_length: dict[int, list[int]] = {}
    for i, clip in enumerate(checked):
        by_length.setdefault(clip.size, []).append(i)
    for indices in by_length.values():
        batch = np.stack([checked[i] for i in indices])                      # (b, n)
        power = np.abs(librosa.stft(batch, n_fft=N_FFT, hop_length=512)) ** 2  # (b, freq, frames)
        mel = np.einsum("mf,bft->bmt", mel_basis, power, optimize=True)
        log_mel = 10.0 * np.log10(np.maximum(mel, 1e-10))
        peak = log_mel.max(axis=(1, 2), keepdims=True)                      # per clip, not per batch
        log_mel = np.maximum(log_mel, peak - 80.0)
        mfcc = scipy.fft.dct(log_mel, axis=1, type=2, norm="ortho")[:, :n_mfcc]
        out[indices] = np.concatenate([mfcc.mean(axis=2), mfcc.std(axis=2)], axis=1)
    return out


# ---------------------------------------------------------------------------
# The book's trumpet (librosa's example file)
# ---------------------------------------------------------------------------

def _librosa_cache_dirs() -> list[Path]:
    """Where ``librosa.ex`` keeps its files: ``$LIBROSA_DATA_DIR``, else pooch's OS cache."""
    dirs = []
    env = os.environ.get("LIBROSA_DATA_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    try:
        import pooch

        dirs.append(Path(pooch.os_cache("librosa")))
    except ImportError:  # pooch comes with librosa; without it only the env var counts
        pass
    return dirs


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def book_trumpet_path(download: bool = False) -> Path:
    """Path of the book's trumpet recording (``librosa.ex('trumpet')``).

    Parameters
    ----------
    download : bool
        If False (the default) only librosa's cache is searched and the
        network is never used. If True and the file is not cached,
        ``librosa.ex('trumpet')`` downloads it.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If ``download`` is False and the file is not in the cache (or its
        checksum does not match librosa's registry).
    course_utils.assets.AssetUnavailableError
        If ``download`` is True and the download fails, or ``COURSE_OFFLINE``
        is set (downloads are then never tried).
    """
    from course_utils.assets import AssetUnavailableError, offline_mode

    searched = _librosa_cache_dirs()
    for folder in searched:
        candidate = folder / TRUMPET_FILENAME
        if candidate.is_file() and _sha256(candidate) == TRUMPET_SHA256:
            return candidate
    if download:
        if offline_mode():
            raise AssetUnavailableError(
                f"the book's trumpet is not cached and COURSE_OFFLINE is set; unset it and run "
                f"`course prefetch` while online, or set LIBROSA_DATA_DIR to a folder holding {TRUMPET_FILENAME}"
            )
        import librosa

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return Path(librosa.ex("trumpet"))
        except Exception as err:  # pooch raises requests/urllib/OSError subclasses
            raise AssetUnavailableError(
                f"could not download the book's trumpet ({type(err).__name__}); "
                "run `course prefetch` on a machine that is online, or set LIBROSA_DATA_DIR "
                f"to a folder holding {TRUMPET_FILENAME}"
            ) from err
    where = ", ".join(str(d) for d in searched) or "no cache folder"
    raise FileNotFoundError(
        f"the book's trumpet ({TRUMPET_FILENAME}) is not in librosa's cache (looked in {where}); "
        "run `course prefetch` while online, or set LIBROSA_DATA_DIR to a folder that holds it"
    )


def trumpet_available() -> bool:
    """Whether the book's trumpet is in librosa's cache (never downloads).

    Returns
    -------
    bool
    """
    try:
        book_trumpet_path(download=False)
    except FileNotFoundError:
        return False
    return True


def prefetch_trumpet() -> Path:
    """Download the book's trumpet into librosa's cache if it is not there yet.

    Meant for ``course prefetch`` (and a line in ``course doctor``).

    Returns
    -------
    pathlib.Path
        Where the file is.

    Raises
    ------
    course_utils.assets.AssetUnavailableError
        If it is not cached and cannot be downloaded (or ``COURSE_OFFLINE`` is set).
    """
    return book_trumpet_path(download=True)


def asset_status() -> list:
    """``course doctor``'s row for the book's trumpet (never downloads).

    Returns
    -------
    list of course_utils.assets.AssetStatus
    """
    from course_utils.assets import AssetStatus

    try:
        location = str(book_trumpet_path(download=False))
        present = True
    except FileNotFoundError:
        dirs = _librosa_cache_dirs()
        location = str(dirs[0] / TRUMPET_FILENAME) if dirs else TRUMPET_FILENAME
        present = False
    return [AssetStatus(name="librosa trumpet example", present=present, location=location,
                        needed_for="5.2: reproducing the book's 1.000 / 0.978 / 0.980 exactly")]


def load_book_trumpet(download: bool = False) -> tuple[np.ndarray, int]:
    """The book's trumpet loaded exactly as the book does (``librosa.load`` defaults: 22 050 Hz, mono).

    Parameters
    ----------
    download : bool
        Passed to :func:`book_trumpet_path`.

    Returns
    -------
    y : numpy.ndarray of float32
    sr : int
    """
    return load_audio(book_trumpet_path(download=download))


# ---------------------------------------------------------------------------
# Listening in a notebook
# ---------------------------------------------------------------------------

def listen(clips: dict[str, ArrayLike], sr: int, rate: int = 11025):
    """Labelled audio players for several clips, as one notebook output.

    Each clip is resampled to ``rate`` (11 025 Hz keeps everything below 5.5 kHz)
    so that the players, which embed the sound as base64 WAV in the
    notebook, stay small.

    Parameters
    ----------
    clips : dict of str to array_like
        Label → mono clip.
    sr : int
        Sample rate of the clips.
    rate : int
        Sample rate of the embedded players.

    Returns
    -------
    IPython.display.HTML
    """
    import html

    import librosa
    from IPython.display import HTML, Audio

    sr, rate = check_sample_rate(sr), check_sample_rate(rate)
    rows = []
    for label, clip in clips.items():
        y = to_mono(clip)
        if rate != sr:
            y = librosa.resample(y, orig_sr=sr, target_sr=rate)
        player = Audio(y, rate=rate)._repr_html_()
        rows.append(
            f"<tr><td style='text-align:left;padding-right:1em'><b>{html.escape(str(label))}</b> "
            f"({y.size / rate:.1f} s)</td><td>{player}</td></tr>"
        )
    return HTML("<table>" + "".join(rows) + "</table>")
