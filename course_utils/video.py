"""Video files and frame sampling (chapter 5.3).

A decoded video is a 4-D array ``(frames, height, width, 3)`` (Figure 5.4).
This module reads, samples and writes such arrays;
:mod:`course_utils.video_embeddings` turns them into vectors::

    from course_utils.models import load_image_encoder
    from course_utils.video import sample_frames
    from course_utils.video_embeddings import video_embedding

    encoder = load_image_encoder("efficientnet_lite0")
    frames = sample_frames("my_clip.mp4", num_frames=8)   # (8, H, W, 3) uint8
    vector = video_embedding(frames, encoder)              # (1280,) float32

Files are read with PyAV (``import av``), whose wheels ship FFmpeg, so mp4,
webm, mkv, mov and avi work without a system install.

Which frames are sampled
------------------------
``K`` frames are taken at the centres of ``K`` equal slices of the clip's
duration: the frame on screen at time ``start + (k + 1/2) * duration / K``.
For a constant-frame-rate clip of ``n`` frames that is frame
``floor((2k + 1) n / (2K))`` (:func:`frame_indices`). Sampling by time, not by
frame number, keeps the same rule for variable-frame-rate files. When ``K`` is
larger than the number of frames, frames are **repeated** (every frame appears,
in order), so the result always has exactly ``K`` frames.

How frames are read
-------------------
``method="seek"`` jumps to the keyframe before each sampled time and decodes
forward only to the wanted frame: sampling 8 frames from a long clip costs 8
seeks plus at most one keyframe interval (GOP) of decoding each, instead of
decoding the whole file. ``method="decode"`` decodes every frame from the start up
to the last sampled one and is the reference the tests compare against. Both use the same timeline, so they
return the same frames. When a container stores no duration (some webm/mkv
files), the duration is worked out by reading every packet's timestamp once
(cheap: no decoding) before seeking.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from os import PathLike
from pathlib import Path
from typing import Iterator, Sequence, Union

import numpy as np

from course_utils.validation import check_unit_range

VideoPath = Union[str, PathLike]

#: Codec chosen from the file extension by :func:`write_video`.
DEFAULT_CODECS = {".mp4": "libx264", ".mkv": "libx264", ".mov": "libx264", ".webm": "libvpx-vp9", ".avi": "mpeg4"}


# ---------------------------------------------------------------- frames as arrays

def validate_frames(frames: np.ndarray | Sequence[np.ndarray]) -> np.ndarray:
    """Check that ``frames`` is a clip: a 4-D ``(K, H, W, 3)`` uint8 or [0, 1] float array.

    Parameters
    ----------
    frames : numpy.ndarray or sequence of (H, W, 3) arrays
        The clip. A list of same-sized frames is stacked.

    Returns
    -------
    numpy.ndarray, shape (K, H, W, 3)
        The frames, uint8 or floating point as given (not copied when
        already an array).

    Raises
    ------
    ValueError
        On the wrong number of dimensions, a channel count other than 3, an
        empty clip, frames of different sizes, or floats outside [0, 1].
    TypeError
        On a dtype that is neither uint8 nor floating point.

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
        raise ValueError(
            f"expected frames as a 4-D array (frames, height, width, 3), got shape {arr.shape}{hint}"
        )
    if arr.shape[3] != 3:
        raise ValueError(
            f"expected 3 colour channels (RGB) in the last axis, got shape {arr.shape}; "
            "convert grayscale or RGBA frames to RGB first"
        )
    if 0 in arr.shape:
        raise ValueError(f"expected a non-empty clip, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr
    if np.issubdtype(arr.dtype, np.floating):
        check_unit_range(arr, "float frames")
        return arr
    raise TypeError(
        f"expected frames of dtype uint8 or float in [0, 1], got dtype {arr.dtype}; "
        "convert with frames.astype(np.uint8) if the values are 0-255"
    )


def frame_indices(n_frames: int, k: int) -> np.ndarray:
    """Indices of ``k`` frames spread evenly over a clip of ``n_frames`` frames.

    Frame ``floor((2i + 1) * n_frames / (2k))`` for ``i = 0 .. k - 1``: the
    frame at the centre of each of ``k`` equal slices. When ``k > n_frames``
    frames repeat, so the answer always has ``k`` entries, in order, and every
    frame appears at least once.

    Parameters
    ----------
    n_frames : int
        Frames in the clip (at least 1).
    k : int
        Frames wanted (at least 1).

    Returns
    -------
    numpy.ndarray, shape (k,), int64
        Non-decreasing indices in ``0 .. n_frames - 1``.

    Raises
    ------
    ValueError
        If either argument is not a positive integer.

    Examples
    --------
    >>> frame_indices(100, 4).tolist()
    [12, 37, 62, 87]
    >>> frame_indices(3, 5).tolist()
    [0, 0, 1, 2, 2]
    """
    for name, value in (("n_frames", n_frames), ("k", k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    i = np.arange(int(k), dtype=np.int64)
    return (2 * i + 1) * int(n_frames) // (2 * int(k))


def _as_uint8(frames: np.ndarray) -> np.ndarray:
    if frames.dtype == np.uint8:
        return frames
    return np.round(frames * 255.0).astype(np.uint8)


# ---------------------------------------------------------------- opening files

@dataclass(frozen=True)
class VideoInfo:
    """What a video file says about its first video stream.

    Attributes
    ----------
    codec : str
    width, height : int
    fps : float or None
        Average frame rate, when the file states one.
    n_frames : int or None
        Frame count from the container's header (``None`` when it has none,
        as webm files often do).
    duration : float or None
        Seconds, from the stream or else the container header.
    """

    codec: str
    width: int
    height: int
    fps: float | None
    n_frames: int | None
    duration: float | None


def _open_video(path: VideoPath):
    """Open ``path`` and return ``(container, video_stream)``, with one clear error per failure."""
    import av

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"video file not found: {p}")
    if p.is_dir():
        raise ValueError(f"expected a video file, got a folder: {p}")
    if p.stat().st_size == 0:
        raise ValueError(f"video file is empty (0 bytes): {p}; re-download or re-export it")
    try:
        container = av.open(str(p))
    except av.FFmpegError as exc:
        raise ValueError(
            f"could not read {p.name} as a video ({type(exc).__name__}); "
            "the file is corrupt or not a format FFmpeg knows (mp4, webm, mkv, mov, avi, ...)"
        ) from None
    if not container.streams.video:
        kinds = sorted({s.type for s in container.streams}) or ["no streams"]
        container.close()
        raise ValueError(
            f"{p.name} has no video stream (it contains: {', '.join(kinds)}); pass a file with video in it"
        )
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    return container, stream


def probe_video(path: VideoPath) -> VideoInfo:
    """Read a video file's header (no decoding).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    VideoInfo

    Raises
    ------
    FileNotFoundError, ValueError
        For a missing, empty or unreadable file, or one without video.
    """
    container, stream = _open_video(path)
    with container:
        rate = stream.average_rate or stream.guessed_rate
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        return VideoInfo(
            codec=stream.codec_context.name,
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            fps=float(rate) if rate else None,
            n_frames=int(stream.frames) if stream.frames else None,
            duration=duration,
        )


def _timeline(path: VideoPath) -> tuple[int, Fraction]:
    """``(start_pts, duration_pts)`` of the first video stream, in its time base.

    From the header when it has a duration, else from one pass over the
    packets' timestamps (demuxing only, no decoding).
    """
    container, stream = _open_video(path)
    with container:
        tb = stream.time_base
        start = stream.start_time
        if stream.duration:
            return (start or 0), Fraction(stream.duration)
        if container.duration and start is not None:
            return start, Fraction(container.duration, 1_000_000) / tb
        first, end = None, None
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            first = packet.pts if first is None else min(first, packet.pts)
            stop = packet.pts + (packet.duration or 0)
            end = stop if end is None else max(end, stop)
        if first is None or end is None or end <= first:
            raise ValueError(f"{Path(path).name} has no frame timestamps; it cannot be sampled by time")
        return first, Fraction(end - first)


def _targets(start: int, duration: Fraction, k: int) -> list[Fraction]:
    """Presentation times (in the stream's time base) at the centres of ``k`` equal slices."""
    return [start + Fraction(2 * i + 1, 2 * k) * duration for i in range(k)]


def check_num_frames(num_frames: object) -> int:
    """``num_frames`` as an int, or a clear ``ValueError`` unless it is a positive whole number."""
    if isinstance(num_frames, bool) or not isinstance(num_frames, (int, np.integer)) or num_frames < 1:
        raise ValueError(f"num_frames must be a positive integer, got {num_frames!r}")
    return int(num_frames)


# ---------------------------------------------------------------- reading frames

def sample_frames(path: VideoPath, num_frames: int = 8, method: str = "seek") -> np.ndarray:
    """Read ``num_frames`` RGB frames spread evenly over a video file's duration.

    Parameters
    ----------
    path : str or Path
        Any file FFmpeg reads (mp4, webm, mkv, mov, avi, ...).
    num_frames : int
        How many frames to return (``K``). When the file has fewer frames,
        frames repeat (see the module notes): the result always has ``K``.
    method : {"seek", "decode"}
        ``"seek"`` (default) seeks to the keyframe before each sampled time
        and decodes forward to it; ``"decode"`` decodes every frame (the
        slow reference). Both return the same frames.

    Returns
    -------
    numpy.ndarray, shape (num_frames, height, width, 3), uint8

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        For an empty, corrupt or audio-only file, a bad ``num_frames`` or an
        unknown ``method``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "grey.mp4")
    >>> _ = write_video(path, np.full((10, 32, 32, 3), 128, np.uint8), fps=10)
    >>> sample_frames(path, 4).shape
    (4, 32, 32, 3)
    """
    k = check_num_frames(num_frames)
    if method not in ("seek", "decode"):
        raise ValueError(f"method must be 'seek' or 'decode', got {method!r}")
    start, duration = _timeline(path)
    targets = _targets(start, duration, k)
    if method == "decode":
        return _sample_by_decoding(path, targets)
    return _sample_by_seeking(path, targets)


def _pick(
    frames: Iterator,
    targets: list[Fraction],
    out: list,
    first_target: int,
    seeking: bool = False,
) -> int:
    """Walk decoded ``frames`` forward, filling ``out`` for targets from ``first_target`` on.

    Each target gets the last frame whose pts is at or before it (the frame
    on screen at that time). Without ``seeking`` the walk goes on until every
    target is filled (the decode-everything reference). With ``seeking``
    (the walk started at a keyframe the container seeked to) it stops once
    the next unfilled target lies further ahead than the distance this walk
    had to decode to reach its first target: a fresh seek is then expected
    to be cheaper than decoding on. Returns the index of
    the first unfilled target; ``first_target`` itself means the first frame
    decoded was already past it.
    """
    i, previous, first_pts = first_target, None, None
    for frame in frames:
        if frame.pts is None:
            raise ValueError("the video's frames carry no timestamps; it cannot be sampled by time")
        if first_pts is None:
            first_pts = frame.pts
        while i < len(targets) and frame.pts > targets[i]:
            if previous is None:
                return i  # this target lies before the first frame decoded: the caller must go back
            out[i] = previous
            i += 1
        if i == len(targets):
            return i
        if seeking and i > first_target and targets[i] - frame.pts > targets[first_target] - first_pts:
            return i
        previous = frame
    while i < len(targets) and previous is not None:  # end of file: the last frame stays on screen
        out[i] = previous
        i += 1
    return i


def _to_rgb(frames: list) -> np.ndarray:
    arrays: dict[int, np.ndarray] = {}
    rgb = [arrays.setdefault(id(f), f.to_ndarray(format="rgb24")) for f in frames]
    return np.stack(rgb)


def _sample_by_decoding(path: VideoPath, targets: list[Fraction]) -> np.ndarray:
    container, stream = _open_video(path)
    with container:
        out: list = [None] * len(targets)
        _pick(container.decode(stream), targets, out, 0)
        if any(f is None for f in out):
            raise ValueError(f"{Path(path).name} contains no decodable video frames")
        return _to_rgb(out)


def _sample_by_seeking(path: VideoPath, targets: list[Fraction]) -> np.ndarray:
    container, stream = _open_video(path)
    with container:
        out: list = [None] * len(targets)
        start = stream.start_time or 0
        step = _frame_step(stream)
        i = 0
        while i < len(targets):
            back = Fraction(0)
            while True:
                seek_to = max(int(targets[i] - back), start)
                container.seek(seek_to, stream=stream, backward=True, any_frame=False)
                j = _pick(container.decode(stream), targets, out, i, seeking=True)
                if j > i or seek_to == start:
                    break
                # The keyframe we landed on is shown after the target (containers index keyframes by
                # decode time, which can be earlier than display time): step further back and retry.
                back = max(2 * back, step)
            if j == i:
                raise ValueError(
                    f"{Path(path).name}: no frame is on screen at {float(targets[i] * stream.time_base):.3f} s"
                )
            i = j
        return _to_rgb(out)


def _advance(out: list, i: int) -> int:
    while i < len(out) and out[i] is not None:
        i += 1
    return i


def _frame_step(stream) -> Fraction:
    """One frame's duration in the stream's time base (a guess; only used to step back when seeking)."""
    rate = stream.average_rate or stream.guessed_rate
    if rate and stream.time_base:
        return max(Fraction(1), 1 / (Fraction(rate) * stream.time_base))
    return Fraction(1)


def read_all_frames(path: VideoPath) -> np.ndarray:
    """Decode every frame of a video file (for short clips; memory grows with length).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    numpy.ndarray, shape (n_frames, height, width, 3), uint8

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`sample_frames`.
    """
    container, stream = _open_video(path)
    with container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    if not frames:
        raise ValueError(f"{Path(path).name} contains no decodable video frames")
    return np.stack(frames)


# ---------------------------------------------------------------- writing files

def write_video(
    path: VideoPath,
    frames: np.ndarray | Sequence[np.ndarray],
    fps: int | Fraction = 25,
    codec: str | None = None,
    gop_size: int | None = None,
    timestamps: Sequence[float] | None = None,
    reproducible: bool = True,
) -> Path:
    """Encode frames into a video file with PyAV.

    Parameters
    ----------
    path : str or Path
        Output file; the extension picks the container (``.mp4``, ``.mkv``,
        ``.mov``, ``.webm``, ``.avi``).
    frames : array, shape (K, H, W, 3)
        uint8, or floats in [0, 1] (rounded to 8 bits).
    fps : int or Fraction
        Frame rate (frames are evenly spaced unless ``timestamps`` is given).
    codec : str, optional
        FFmpeg encoder name. Defaults by extension: H.264 (``libx264``) for
        mp4/mkv/mov, VP9 for webm, MPEG-4 part 2 for avi; ``mpeg4`` when the
        installed FFmpeg lacks the default.
    gop_size : int, optional
        Frames between keyframes (the encoder's default when omitted). Small
        values make seeking cheaper and files larger.
    timestamps : sequence of float, optional
        Presentation time of each frame in seconds, strictly increasing and
        starting at 0 or later: writes a variable-frame-rate file (times are
        kept to the millisecond).
    reproducible : bool
        ``True`` (default): encode on one thread and, for H.264, without
        x264's lookahead and macroblock-tree rate control, so the same frames
        always give the same file (the PyAV wheel's libx264 otherwise varies
        from run to run). ``False``: FFmpeg's defaults, faster and a little
        smaller for long clips.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    ValueError, TypeError
        On frames that are not a clip (:func:`validate_frames`), bad
        timestamps or an unknown extension.

    Notes
    -----
    H.264 in 4:2:0 needs even widths and heights; odd-sized frames are
    written in 4:4:4 (``yuv444p``) instead, which keeps every pixel but that
    some players do not support.
    """
    import av

    clip = _as_uint8(validate_frames(frames))
    p = Path(path)
    suffix = p.suffix.lower()
    if codec is None:
        if suffix not in DEFAULT_CODECS:
            raise ValueError(f"unknown video extension {suffix!r}; use one of {sorted(DEFAULT_CODECS)}")
        codec = DEFAULT_CODECS[suffix]
        if codec not in av.codecs_available:
            codec = "mpeg4"
    n, height, width, _ = clip.shape
    if timestamps is not None:
        ts = np.asarray(timestamps, dtype=float)
        if ts.shape != (n,):
            raise ValueError(f"expected one timestamp per frame ({n}), got {ts.shape[0] if ts.ndim else 0}")
        millis = np.round(ts * 1000).astype(np.int64)
        if millis[0] < 0 or np.any(np.diff(millis) <= 0):
            raise ValueError("timestamps must start at 0 or later and increase by at least 1 ms per frame")
    rate = Fraction(fps)
    if rate <= 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    odd = width % 2 or height % 2
    pix_fmt = "yuv444p" if (odd and codec == "libx264") else "yuv420p"
    p.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(p), mode="w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if reproducible:
            stream.codec_context.thread_count = 1
            if codec == "libx264":
                stream.options = {"x264-params": "mbtree=0:rc-lookahead=0"}
        if gop_size is not None:
            stream.codec_context.gop_size = int(gop_size)
        if timestamps is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.time_base = Fraction(1, 1000)
        for i, image in enumerate(clip):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")
            if timestamps is not None:
                frame.pts = int(millis[i])
                frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return p
