"""Video embeddings: embed sampled frames, then pool them into one vector (chapter 5.3).

The book's recipe (Figure 5.5) is :func:`video_embedding`: embed each sampled
frame with an image model and average. Averaging forgets the order of the
frames, so a clip and its reverse get the same vector;
:func:`temporal_embedding` adds a summary of which way the clip changes.
"""

from __future__ import annotations

import numbers
import sys
from os import PathLike
from typing import Sequence

import numpy as np
import torch
from tqdm import tqdm

from course_utils.validation import check_array, check_encoder, check_scalar
from course_utils.video import VideoPath, check_num_frames, frame_indices, sample_frames, validate_frames


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
        Print a progress bar over batches to stdout (counts only, no timings,
        so a notebook's output is the same on every run).
    resize : bool
        ``True``: the encoder's own preprocessing (resize and centre-crop to
        the model's input size). ``False``: each frame at its own size, only
        scaled and normalised (``encoder.spec.normalise()``), as the book's
        5.3 code does with its 224 x 224 frames.

    Returns
    -------
    numpy.ndarray, shape (K, D), float32
    """
    clip = validate_frames(frames)
    encoder = check_encoder(encoder)
    batch_size = check_scalar(encoder.default_batch_size if batch_size is None else batch_size, "batch_size", int,
                              min_val=1)
    progress, resize = check_scalar(progress, "progress", bool), check_scalar(resize, "resize", bool)
    starts = range(0, len(clip), batch_size)
    out = np.empty((len(clip), encoder.embedding_dim), dtype=np.float32)
    normalise = encoder.spec.normalise()
    with tqdm(total=len(starts), file=sys.stdout, desc=f"embedding {len(clip)} frames", disable=not progress,
              bar_format="{desc}: {bar:20} {n_fmt}/{total_fmt} batches", ascii=" #", mininterval=0, miniters=1) as bar:
        for s in starts:
            batch = clip[s:s + batch_size]
            if resize:
                out[s:s + len(batch)] = encoder.embed(list(batch), batch_size=len(batch))
            else:
                x = torch.stack([normalise(frame if frame.dtype == np.uint8 else frame.astype(np.float32))
                                 for frame in batch])
                out[s:s + len(batch)] = encoder.embed_tensor(x).float().cpu().numpy()
            bar.update(1)
    return out


def temporal_embedding(frame_embeddings: np.ndarray, motion_weight: float = 1.0) -> np.ndarray:
    """An order-aware clip vector: what the clip shows, plus which way it changes.

    The frame embeddings ``e_1 .. e_K`` become two parts, each scaled to unit
    length and then joined: *content*, the mean of all frames; *motion*, the
    mean of the late half minus the mean of the early half (the middle frame
    of an odd-length clip is left out). Playing a clip backwards flips only
    the motion part, so a clip and its reverse have cosine
    ``(1 - w**2) / (1 + w**2)`` with ``w = motion_weight``. A clip with no
    change (motion below 1e-6 of the content) gets a zero motion part.

    Parameters
    ----------
    frame_embeddings : array, shape (K, D)
        One embedding per frame, in time order (K >= 2).
    motion_weight : float
        How much the motion part counts relative to the content part (finite, 0 or more).

    Returns
    -------
    numpy.ndarray, shape (2 * D,), float32

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
    resize: bool = True,
) -> np.ndarray:
    """One vector for a whole clip: sample frames, embed each, average (Figure 5.5; blind to frame order).

    Parameters
    ----------
    frames_or_path : array (K, H, W, 3), list of frames, or a path
        A decoded clip, or a video file read with :func:`sample_frames`.
    encoder : course_utils.image.registry.ImageEncoder
        From :func:`course_utils.image.registry.load_image_encoder`.
    num_frames : int, optional
        Frames to sample. ``None``: every frame of an array, 8 from a file; an
        array's frames are picked with :func:`frame_indices`.
    resize : bool
        As :func:`embed_frames`.

    Returns
    -------
    numpy.ndarray, shape (D,), float32

    Examples
    --------
    >>> from course_utils.image.registry import load_image_encoder
    >>> encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    >>> clip = np.zeros((3, 32, 32, 3), np.uint8)
    >>> video_embedding(clip, encoder).shape
    (1280,)
    """
    if isinstance(frames_or_path, (str, PathLike)):
        clip = sample_frames(frames_or_path, 8 if num_frames is None else num_frames)
    else:
        clip = validate_frames(frames_or_path)
        if num_frames is not None:
            clip = clip[frame_indices(len(clip), check_num_frames(num_frames))]
    return embed_frames(clip, encoder, resize=resize).mean(axis=0)
