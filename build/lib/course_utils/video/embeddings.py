"""Video embeddings: embed sampled frames, then pool them into one vector (chapter 5.3).

The book's recipe (Figure 5.5) is :func:`video_embedding` with
``pooling="mean"``: embed each sampled frame with an image model and average.
Averaging forgets the order of the frames, so a clip and its reverse get the
same vector; ``pooling="temporal"`` (:func:`temporal_embedding`) adds a
summary of which way the clip changes.
"""

from __future__ import annotations

import numbers
import sys
from os import PathLike
from typing import Sequence

import numpy as np
import torch
from tqdm import tqdm

from course_utils.validation import check_array, check_scalar
from course_utils.video import VideoPath, check_num_frames, frame_indices, sample_frames, validate_frames

_POOLINGS = ("mean", "max", "temporal")


def embed_frames(
    frames: np.ndarray | Sequence[np.ndarray],
    encoder,
    batch_size: int | None = None,
    progress: bool = False,
    resize: bool = True,
) -> np.ndarray:
    """Embed every frame of a clip with an image encoder, a batch at a time.

    Parameters
    ----------
    frames : array, shape (K, H, W, 3)
        uint8, or floats in [0, 1].
    encoder : course_utils.image.registry.ImageEncoder
        From :func:`course_utils.image.registry.load_image_encoder`.
    batch_size : int, optional
        Frames per forward pass (default: the encoder's ``default_batch_size``).
    progress : bool
        Print a progress bar over batches to stdout (for long clips). The
        bar shows counts only, no timings, so a notebook's output is the same
        on every run.
    resize : bool
        ``True`` (default): the encoder's own preprocessing (frames as 8-bit
        images, resized and centre-cropped to the model's input size).
        ``False``: each frame goes in at its own size, scaled and normalised
        only (``encoder.spec.normalise()``) -- what the book's 5.3 code does
        with its 224 x 224 frames.

    Returns
    -------
    numpy.ndarray, shape (K, D), float32

    Raises
    ------
    TypeError
        On frames that are neither uint8 nor float, or a ``batch_size`` that
        is not an integer (``2.5``).
    ValueError
        On frames that are not a clip (:func:`validate_frames`) or a
        ``batch_size`` below 1.
    """
    clip = validate_frames(frames)
    if batch_size is None:
        batch_size = encoder.default_batch_size
    batch_size = check_scalar(batch_size, "batch_size", int, min_val=1)
    starts = range(0, len(clip), batch_size)
    bar = None
    if progress:
        bar = tqdm(total=len(starts), file=sys.stdout, desc=f"embedding {len(clip)} frames",
                   bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} batches", ascii=" #",
                   mininterval=0, miniters=1)
    out = np.empty((len(clip), encoder.embedding_dim), dtype=np.float32)
    normalise = encoder.spec.normalise()
    try:
        for s in starts:
            batch = clip[s:s + batch_size]
            if resize:
                out[s:s + len(batch)] = encoder.embed(list(batch), batch_size=len(batch))
            else:
                x = torch.stack([normalise(frame if frame.dtype == np.uint8 else frame.astype(np.float32))
                                 for frame in batch])
                out[s:s + len(batch)] = encoder.embed_tensor(x).float().cpu().numpy()
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return out


def temporal_embedding(frame_embeddings: np.ndarray, motion_weight: float = 1.0) -> np.ndarray:
    """An order-aware clip vector: what the clip shows, plus which way it changes.

    The frame embeddings ``e_1 .. e_K`` become two parts, each scaled to
    unit length and then joined:

    - *content*: the mean of all frames (the usual mean-pooled embedding);
    - *motion*: the mean of the late half minus the mean of the early half
      (the middle frame of an odd-length clip is left out), which points
      from how the clip starts to how it ends.

    Playing a clip backwards leaves the content part unchanged and flips the
    sign of the motion part, so the cosine similarity between a clip and its
    reverse is ``(1 - w**2) / (1 + w**2)`` with ``w = motion_weight`` (0 for
    the default ``w = 1``). A clip with no change (motion part shorter than
    1e-6 of the content part) gets a zero motion part instead of amplified
    noise.

    Parameters
    ----------
    frame_embeddings : array, shape (K, D)
        One embedding per frame, in time order (K >= 2).
    motion_weight : float
        How much the motion part counts relative to the content part (a
        finite number, 0 or more).

    Returns
    -------
    numpy.ndarray, shape (2 * D,), float32

    Raises
    ------
    TypeError
        If ``motion_weight`` is not a number.
    ValueError
        If the input is not a 2-D array of at least two finite frame
        embeddings, the content part is all zeros, or ``motion_weight`` is
        negative, NaN or infinite.

    Examples
    --------
    >>> e = np.array([[1.0, 0.0], [1.0, 1.0]])
    >>> [round(float(v), 3) for v in temporal_embedding(e)]
    [0.894, 0.447, 0.0, 1.0]
    """
    motion_weight = check_scalar(motion_weight, "motion_weight", numbers.Real, min_val=0)
    e = check_array(frame_embeddings, "frame_embeddings", ndim=2, shape="2-D (frames, dim)").astype(np.float64)
    if e.shape[0] < 2:
        raise ValueError(
            f"expected frame embeddings as a 2-D (frames, dim) array with at least 2 frames, got shape {e.shape}"
        )
    content = e.mean(axis=0)
    size = np.linalg.norm(content)
    if size == 0:
        raise ValueError("the mean frame embedding is all zeros, so the clip has no direction to compare")
    half = e.shape[0] // 2
    motion = e[-half:].mean(axis=0) - e[:half].mean(axis=0)
    change = np.linalg.norm(motion)
    motion_part = motion / change if change > 1e-6 * size else np.zeros_like(motion)
    return np.concatenate([content / size, motion_weight * motion_part]).astype(np.float32)


def video_embedding(
    frames_or_path: np.ndarray | Sequence[np.ndarray] | VideoPath,
    encoder,
    num_frames: int | None = None,
    pooling: str = "mean",
    batch_size: int | None = None,
    progress: bool = False,
    resize: bool = True,
) -> np.ndarray:
    """One vector for a whole clip: sample frames, embed each, pool (Figure 5.5).

    Parameters
    ----------
    frames_or_path : array (K, H, W, 3), list of frames, or a path
        A decoded clip, or a video file read with :func:`sample_frames`.
    encoder : course_utils.image.registry.ImageEncoder
    num_frames : int, optional
        Frames to sample. ``None``: every frame of an array, 8 from a file.
        For an array, ``num_frames`` frames are picked with
        :func:`frame_indices`.
    pooling : {"mean", "max", "temporal"}
        ``"mean"``: the average frame embedding (the book's method; blind to
        frame order). ``"max"``: the per-dimension maximum (also blind to
        order). ``"temporal"``: :func:`temporal_embedding` (content plus
        direction of change; twice as long).
    batch_size, progress, resize
        As :func:`embed_frames`.

    Returns
    -------
    numpy.ndarray, shape (D,) or (2 * D,) for ``"temporal"``, float32

    Raises
    ------
    TypeError
        On a ``num_frames`` or ``batch_size`` that is not an integer.
    ValueError
        On an unknown pooling, bad frames, a ``num_frames`` below 1 or an
        unreadable file.

    Examples
    --------
    >>> from course_utils.image.registry import load_image_encoder
    >>> encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    >>> clip = np.zeros((3, 32, 32, 3), np.uint8)
    >>> video_embedding(clip, encoder).shape
    (1280,)
    """
    if pooling not in _POOLINGS:
        raise ValueError(f"pooling must be one of {_POOLINGS}, got {pooling!r}")
    if batch_size is not None:
        batch_size = check_scalar(batch_size, "batch_size", int, min_val=1)
    if isinstance(frames_or_path, (str, PathLike)):
        clip = sample_frames(frames_or_path, 8 if num_frames is None else num_frames)
    else:
        clip = validate_frames(frames_or_path)
        if num_frames is not None:
            clip = clip[frame_indices(len(clip), check_num_frames(num_frames))]
    if pooling == "temporal" and len(clip) < 2:
        raise ValueError("temporal pooling needs at least 2 frames, got 1; sample more frames")
    e = embed_frames(clip, encoder, batch_size=batch_size, progress=progress, resize=resize)
    if pooling == "mean":
        return e.mean(axis=0)
    if pooling == "max":
        return e.max(axis=0)
    return temporal_embedding(e)
