"""One rule for inputs: every public function of the course checks its arguments here.

Like scikit-learn's ``check_scalar`` and ``check_array``, each check raises at the public boundary with one
sentence naming the argument, what it got and what was expected: ``TypeError`` for the wrong kind of value,
``ValueError`` for a wrong value. Integers accept NumPy integers but never ``bool`` or floats (``batch_size=2.5``
never becomes 2); reals and arrays are finite; float images and frames lie in [0, 1], float audio in [-1, 1].
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["check_scalar", "check_unit_range", "check_choice", "check_finite", "check_array", "check_sequence",
           "check_path", "check_encoder", "check_sample_rate", "audio_as_float", "check_audio", "describe", "MIN_SR",
           "MAX_SR", "SILENCE_PEAK", "MIN_AUDIO_SAMPLES"]

#: Sample rates outside this range are almost certainly a mistake (e.g. seconds passed as Hz).
MIN_SR, MAX_SR = 1000, 384000
#: Peak absolute amplitude below which a clip counts as silent (about -100 dBFS).
SILENCE_PEAK = 1e-5
#: Shortest clip an audio embedding accepts: one window of librosa's default STFT (``n_fft=2048``).
MIN_AUDIO_SAMPLES = 2048
#: Float audio a little above full scale (a resampler's overshoot) is fine; far above is a units mistake.
AUDIO_PEAK_LIMIT = 1.5


def _type_name(target_type: Any) -> str:
    if target_type is bool:
        return "True or False"
    if target_type is Callable:
        return "a function"
    if target_type is numbers.Integral or target_type is int:
        return "an integer"
    if target_type is numbers.Real or target_type is float:
        return "a number"
    if target_type is str:
        return "a string"
    if isinstance(target_type, tuple):
        return " or ".join(_type_name(t) for t in target_type)
    return f"a {getattr(target_type, '__name__', target_type)}"


def describe(value: object) -> str:
    """A value for a message: its repr (cut at 60 characters) and its type.

    Examples
    --------
    >>> describe(2.5)
    '2.5 (float)'
    """
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def check_scalar(value: object, name: str, target_type: type | tuple = numbers.Integral, min_val: float | None = None,
                 max_val: float | None = None, include_boundaries: str = "both") -> Any:
    """Return ``value`` as a plain Python scalar, or raise one clear error.

    Parameters
    ----------
    value, name : object, str
        What the caller passed, and the argument's name for the message.
    target_type : type or tuple of types
        ``int`` / ``numbers.Integral`` (Python and NumPy integers, never ``bool`` or floats), ``float`` /
        ``numbers.Real`` (any finite int or float), ``bool`` (only ``True``/``False``, NumPy's too), ``str``,
        ``collections.abc.Callable`` (a function), or any other class to check with ``isinstance``.
    min_val, max_val : float, optional
        Bounds, inclusive unless ``include_boundaries`` says otherwise.
    include_boundaries : {"both", "left", "right", "neither"}
        Which bounds are allowed values.

    Returns
    -------
    int, float, bool or str
        ``int`` for integer targets, ``float`` for real targets.

    Examples
    --------
    >>> check_scalar(np.int64(16), "patch_size", int, min_val=1)
    16
    >>> check_scalar(2.5, "batch_size", int, min_val=1)
    Traceback (most recent call last):
    ...
    TypeError: expected batch_size as an integer, got 2.5 (float)
    """
    types = target_type if isinstance(target_type, tuple) else (target_type,)
    wants_int = any(t in (int, numbers.Integral) for t in types)
    wants_real = any(t in (float, numbers.Real) for t in types)
    wants_str = str in types
    if isinstance(value, (bool, np.bool_)):
        if bool in types:
            return bool(value)
        raise TypeError(f"expected {name} as {_type_name(target_type)}, got {value!r} (bool)")
    if wants_str and isinstance(value, str):
        return value
    if wants_int and isinstance(value, (numbers.Integral, np.integer)):
        out: Any = int(value)
    elif wants_real and isinstance(value, (numbers.Real, np.integer, np.floating)):
        out = float(value)
        check_finite(out, name)
    elif not (wants_int or wants_real) and isinstance(value, types):
        return value
    else:
        raise TypeError(f"expected {name} as {_type_name(target_type)}, got {describe(value)}")
    if include_boundaries not in ("both", "left", "right", "neither"):
        raise ValueError(f"include_boundaries must be 'both', 'left', 'right' or 'neither', got {include_boundaries!r}")
    low_ok, high_ok = include_boundaries in ("both", "left"), include_boundaries in ("both", "right")
    if min_val is not None and (out < min_val or (out == min_val and not low_ok)):
        raise ValueError(f"expected {name} {'>=' if low_ok else '>'} {min_val}, got {value!r}")
    if max_val is not None and (out > max_val or (out == max_val and not high_ok)):
        raise ValueError(f"expected {name} {'<=' if high_ok else '<'} {max_val}, got {value!r}")
    return out


def check_choice(value: object, name: str, choices: Any) -> str:
    """Return ``value`` if it is one of the strings ``choices``; TypeError for a non-string, else ValueError.

    Examples
    --------
    >>> check_choice("left", "direction", ("left", "right"))
    'left'
    >>> check_choice("up", "direction", ("left", "right"))
    Traceback (most recent call last):
    ...
    ValueError: expected direction as one of ('left', 'right'), got 'up'
    """
    value = check_scalar(value, name, str)
    if value not in choices:
        raise ValueError(f"expected {name} as one of {tuple(choices)}, got {value!r}")
    return value


def check_finite(x: Any, name: str) -> None:
    """Raise the course's one ``ValueError`` for NaN or infinity in ``x`` (a number, an array or a tensor).

    Examples
    --------
    >>> check_finite(np.array([1.0, np.nan]), "the embedding")
    Traceback (most recent call last):
    ...
    ValueError: the embedding contains NaN or infinite values (first at flat index 1 of 2); clean the input first
    """
    if hasattr(x, "detach"):  # a torch.Tensor, checked without importing torch
        if not (x.is_floating_point() or x.is_complex()) or bool(x.isfinite().all()):
            return
        x = x.detach().cpu().double().numpy() if not x.is_complex() else x.detach().cpu().numpy()
    arr = np.asarray(x)
    if arr.dtype.kind in "fc" and not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr.ravel()))[0])
        where = f"first at flat index {bad} of {arr.size}" if arr.ndim else f"got {arr.item()!r}"
        raise ValueError(f"{name} contains NaN or infinite values ({where}); clean the input first")


def _kinds_name(kinds: str) -> str:
    names = {"f": "floats", "i": "integers", "u": "integers", "b": "booleans", "c": "complex numbers"}
    return " or ".join(dict.fromkeys(names[k] for k in kinds))


def _kind(x: Any) -> str:
    """NumPy's dtype kind letter for an array or a torch.Tensor (``f``, ``c``, ``i``, ``u``, ``b`` ...)."""
    if hasattr(x, "detach"):
        if x.is_complex():
            return "c"
        if x.is_floating_point():
            return "f"
        return {"torch.bool": "b", "torch.uint8": "u"}.get(str(x.dtype), "i")
    return x.dtype.kind


def check_array(x: Any, name: str, ndim: int | tuple[int, ...] | None = None, kinds: str = "fiu",
                shape: str | None = None, tensor: bool = False) -> Any:
    """Return ``x`` as a NumPy array (or the tensor itself), or raise one clear error.

    Parameters
    ----------
    x, name : array_like or torch.Tensor, str
        What the caller passed, and the argument's name for the message.
    ndim : int or tuple of int, optional
        Accepted numbers of dimensions.
    kinds : str
        Accepted NumPy dtype kinds: ``"f"`` float, ``"i"``/``"u"`` integers, ``"b"`` bool.
    shape : str, optional
        How to describe the expected shape in a message (``"(N, C, H, W)"``).
    tensor : bool
        Require a ``torch.Tensor`` (checked without importing torch) instead of array-likes.

    Returns
    -------
    numpy.ndarray or torch.Tensor
        Finite and not empty.

    Examples
    --------
    >>> check_array([[1, 2]], "x", ndim=2).shape
    (1, 2)
    >>> check_array([1j, 1], "a")
    Traceback (most recent call last):
    ...
    TypeError: expected a as real numbers, got complex values (dtype complex128); pass x.real or np.abs(x)
    """
    is_tensor = hasattr(x, "detach") and hasattr(x, "is_floating_point")
    if tensor and not is_tensor:
        raise TypeError(f"expected {name} as a torch.Tensor, got {describe(x)}")
    if not is_tensor:
        if x is None or isinstance(x, (str, bytes, dict, set)):
            raise TypeError(f"expected {name} as an array of {_kinds_name(kinds)}, got {describe(x)}")
        try:
            x = np.asarray(x)
        except (ValueError, TypeError):
            raise ValueError(f"expected {name} as a rectangular array of numbers, got a ragged sequence") from None
    kind = _kind(x)
    if kind == "c" and "c" not in kinds:
        raise TypeError(f"expected {name} as real numbers, got complex values (dtype {x.dtype}); pass x.real or np.abs(x)")
    if kind not in kinds:
        raise TypeError(f"expected {name} as {_kinds_name(kinds)}, got dtype {x.dtype}")
    got = tuple(x.shape)
    wanted = (ndim,) if isinstance(ndim, int) else ndim
    if wanted is not None and len(got) not in wanted:
        what = shape or " or ".join(f"{n}-D" for n in wanted)
        raise ValueError(f"expected {name} as a {what} array, got shape {got}")
    if 0 in got:
        raise ValueError(f"expected {name} with at least one value, got an empty array of shape {got}")
    check_finite(x, name)
    return x


def check_sequence(value: object, name: str, what: str) -> list:
    """Return ``value`` (a list, tuple, 1-D or larger array, or any other iterable) as a list, or raise a TypeError.

    A bare string, a mapping, a 0-d array or a single number is refused: each is a common slip for a list of one.

    Examples
    --------
    >>> check_sequence(("a {}",), "templates", "strings")
    ['a {}']
    >>> check_sequence("cat", "classes", "strings")
    Traceback (most recent call last):
    ...
    TypeError: expected classes as a list of strings, got the bare string 'cat'; wrap it in a list: ['cat']
    """
    if isinstance(value, (str, bytes)):
        raise TypeError(f"expected {name} as a list of {what}, got the bare string {value!r}; "
                        f"wrap it in a list: [{value!r}]")
    if isinstance(value, Mapping) or not isinstance(value, Iterable) or getattr(value, "ndim", 1) == 0:
        raise TypeError(f"expected {name} as a list of {what}, got {describe(value)}")
    return list(value)


def check_path(value: object, name: str = "path") -> Path:
    """Return ``value`` (a ``str`` or ``os.PathLike``) as a ``Path``, or raise a TypeError naming what came instead.

    Examples
    --------
    >>> check_path("clip.mp4").name
    'clip.mp4'
    >>> check_path(None)
    Traceback (most recent call last):
    ...
    TypeError: expected path as a file path (a str or pathlib.Path), got None (NoneType)
    """
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"expected {name} as a file path (a str or pathlib.Path), got {describe(value)}")
    return Path(value)


def check_encoder(encoder: object, name: str = "encoder") -> Any:
    """Return ``encoder`` if it has an ``embed`` method (an image encoder), or raise a TypeError.

    Examples
    --------
    >>> check_encoder("lite0")
    Traceback (most recent call last):
    ...
    TypeError: expected encoder as an image encoder (from load_image_encoder), got 'lite0' (str)
    """
    if not callable(getattr(encoder, "embed", None)):
        raise TypeError(f"expected {name} as an image encoder (from load_image_encoder), got {describe(encoder)}")
    return encoder


def check_unit_range(arr: np.ndarray, what: str) -> None:
    """Raise a clear ``ValueError`` unless a float array (images, frames) is finite and within [0, 1].

    Examples
    --------
    >>> check_unit_range(np.array([0.0, 255.0]), "float image arrays")
    Traceback (most recent call last):
    ...
    ValueError: float image arrays must lie in [0, 1], got values in [0, 255]; divide by 255 or pass uint8 values
    """
    check_finite(arr, what)
    lo, hi = float(arr.min()), float(arr.max())
    if lo < 0.0 or hi > 1.0:
        raise ValueError(f"{what} must lie in [0, 1], got values in [{lo:.3g}, {hi:.3g}]; divide by 255 or pass uint8 values")


# ----------------------------------------------------------------------------- audio

def check_sample_rate(sr: object, name: str = "sr") -> int:
    """Return ``sr`` as an int: a whole number of samples per second between :data:`MIN_SR` and :data:`MAX_SR`.

    Examples
    --------
    >>> check_sample_rate(22050.0)
    22050
    """
    value = check_scalar(sr, name, numbers.Real)
    if float(value).is_integer() and MIN_SR <= value <= MAX_SR:
        return int(value)
    raise ValueError(f"expected {name} as a whole number of samples per second between {MIN_SR} and {MAX_SR}, "
                     f"got {sr!r}; pass the rate returned by librosa.load (22050 by default)")


def audio_as_float(y: ArrayLike) -> np.ndarray:
    """Samples as float32 in [-1, 1]; integer PCM is scaled, floats are checked.

    Raises
    ------
    ValueError
        For float samples far outside [-1, 1] (the ``wavfile.read(...).astype(float)`` mistake), or 16-bit
        samples in a wider integer array.

    Examples
    --------
    >>> audio_as_float(np.array([16384, -32768], dtype=np.int16)).tolist()
    [0.5, -1.0]
    """
    arr = check_array(y, "y", ndim=(1, 2))
    kind = arr.dtype.kind
    if kind == "i" and arr.dtype.itemsize > 2:
        peak = int(np.max(np.abs(arr.astype(np.int64))))
        if 0 < peak <= 2 ** 15:
            raise ValueError(f"expected PCM audio, got {arr.dtype} samples whose peak ({peak}) fits in 16 bits: they "
                             "look like 16-bit samples in a wider array, which would play at 1/65536 of their level; "
                             "pass y.astype(np.int16), or floats divided by 32768")
        if arr.dtype.itemsize > 4:
            raise ValueError(f"expected 16- or 32-bit PCM audio, got {arr.dtype} samples (peak {peak}); pass int16 or "
                             "int32 samples, or floats in [-1, 1]")
    if kind == "i":
        return (arr.astype(np.float64) / float(2 ** (8 * arr.dtype.itemsize - 1))).astype(np.float32)
    if kind == "u":
        half = float(2 ** (8 * arr.dtype.itemsize - 1))
        return ((arr.astype(np.float64) - half) / half).astype(np.float32)
    peak = float(np.max(np.abs(arr)))
    if peak > AUDIO_PEAK_LIMIT:
        raise ValueError(f"expected float audio in [-1, 1], got a peak amplitude of {peak:.3g}; integer PCM stored as "
                         "floats must be scaled (divide int16 samples by 32768), or pass the integer array itself")
    return arr.astype(np.float32, copy=False)


def check_audio(y: ArrayLike, sr: object) -> tuple[np.ndarray, int]:
    """Validate a clip for embedding: mono, finite, in range, long enough, not silent, not constant.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono samples, float in [-1, 1] or integer PCM (scaled to [-1, 1]).
    sr : int
        Sample rate in Hz.

    Returns
    -------
    y : numpy.ndarray of float32, shape (n,)
    sr : int

    Raises
    ------
    ValueError
        For stereo, too short (under :data:`MIN_AUDIO_SAMPLES`), silent or constant (DC-only) audio.
    """
    sr, arr, n = check_sample_rate(sr), audio_as_float(y), MIN_AUDIO_SAMPLES
    if arr.ndim != 1:
        raise ValueError(f"expected audio as a 1-D float array, got shape {arr.shape}; "
                         "pass mono audio (average the channels: y.mean(axis=0))")
    if arr.size < n:
        raise ValueError(f"expected at least {n} samples ({n / sr:.3f} s at {sr} Hz), "
                         f"got {arr.size}; pad the clip (np.pad) or use a longer one")
    peak = float(np.max(np.abs(arr)))
    if peak < SILENCE_PEAK:
        raise ValueError(f"expected audible audio, got a silent clip (peak amplitude {peak:.1e}, below "
                         f"{SILENCE_PEAK:.0e}); silence has no timbre to embed, so drop or trim silent clips first")
    if float(arr.max() - arr.min()) < SILENCE_PEAK:
        raise ValueError(f"expected a sound, got a constant signal (every sample is {float(arr[0]):.3g}); "
                         "a DC offset alone is inaudible, so check the source of this clip")
    return arr, sr
