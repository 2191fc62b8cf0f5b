"""A decoded clip as an array, and which of its frames to sample (chapter 5.3).

:func:`validate_frames` checks a ``(frames, height, width, 3)`` array (Figure 5.4);
:func:`frame_indices` picks ``k`` evenly spaced frames from ``n``.
"""

from __future__ import annotations

from os import PathLike
from typing import Sequence, Union

import numpy as np

from course_utils.validation import check_scalar, check_unit_range

__all__ = ["VideoPath", "validate_frames", "frame_indices", "check_num_frames"]

VideoPath = Union[str, PathLike]

#: The most frames one call samples: more is a whole clip's worth, which a sample is not for.
MAX_SAMPLED_FRAMES = 10_000


def validate_frames(frames: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """Check that ``frames`` is a clip: a 4-D ``(K, H, W, 3)`` uint8 or [0, 1] float array.

    Parameters
    ----------
    frames : numpy.ndarray or sequence of (H, W, 3) arrays
        The clip; a list of same-sized frames is stacked.

    Returns
    -------
    numpy.ndarray, shape (K, H, W, 3)
        The frames, uint8 or floating point as given (not copied when already an array).

    Examples
    --------
    >>> validate_frames(np.zeros((2, 4, 4, 3), np.uint8)).shape
    (2, 4, 4, 3)
    >>> validate_frames(np.zeros((4, 4, 3), np.uint8))
    Traceback (most recent call last):
    ...
    ValueError: expected frames as a 4-D array (frames, height, width, 3), got shape (4, 4, 3); for a single image add a frame axis with image[None]
    """
    if isinstance(frames, (list, tuple)):
        if len(frames) == 0:
            raise ValueError("expected at least one frame, got an empty sequence")
        shapes = {np.shape(f) for f in frames}
        if len(shapes) > 1:
            raise ValueError(f"all frames must have the same size, got shapes {sorted(shapes)}; resize them first")
        arr = np.stack([np.asarray(f) for f in frames])
    elif isinstance(frames, np.ndarray):
        arr = frames
    else:
        raise TypeError(f"expected frames as a numpy array or a list of arrays, got {type(frames).__name__}")
    if arr.ndim != 4:
        hint = "; for a single image add a frame axis with image[None]" if arr.ndim == 3 else ""
        raise ValueError(f"expected frames as a 4-D array (frames, height, width, 3), got shape {arr.shape}{hint}")
    if arr.shape[3] != 3:
        raise ValueError(f"expected 3 colour channels (RGB) in the last axis, got shape {arr.shape}; "
                         "convert grayscale or RGBA frames to RGB first")
    if 0 in arr.shape:
        raise ValueError(f"expected a non-empty clip, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        check_unit_range(arr, "float frames")
        return arr
    raise TypeError(f"expected frames of dtype uint8 or float in [0, 1], got dtype {arr.dtype}; "
                    "convert with frames.astype(np.uint8) if the values are 0-255")


def check_num_frames(num_frames: object, name: str = "num_frames") -> int:
    """``num_frames`` as an int from 1 to :data:`MAX_SAMPLED_FRAMES` (:func:`course_utils.validation.check_scalar`).

    Examples
    --------
    >>> check_num_frames(np.int64(8))
    8
    """
    return check_scalar(num_frames, name, int, min_val=1, max_val=MAX_SAMPLED_FRAMES)


def frame_indices(n_frames: int, k: int) -> np.ndarray:
    """Indices of ``k`` frames spread evenly over a clip of ``n_frames`` frames.

    Frame ``floor((2i + 1) * n_frames / (2k))`` for ``i = 0 .. k - 1``: the
    frame at the centre of each of ``k`` equal slices. When ``k > n_frames``
    frames repeat, so there are always ``k``, in order, every frame at least once.

    Parameters
    ----------
    n_frames : int
        Frames in the clip (at least 1).
    k : int
        Frames wanted (1 to :data:`MAX_SAMPLED_FRAMES`).

    Returns
    -------
    numpy.ndarray, shape (k,), int64
        Non-decreasing indices in ``0 .. n_frames - 1``.

    Examples
    --------
    >>> frame_indices(100, 4).tolist()
    [12, 37, 62, 87]
    >>> frame_indices(3, 5).tolist()
    [0, 0, 1, 2, 2]
    """
    n = check_scalar(n_frames, "n_frames", int, min_val=1)
    k = check_num_frames(k, "k")
    i = np.arange(k, dtype=np.int64)
    return (2 * i + 1) * n // (2 * k)
