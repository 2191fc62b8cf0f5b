"""Writing frames into a video file with PyAV (chapter 5.3): how the chapter turns its clips into real mp4 and webm."""

from __future__ import annotations

import numbers
from fractions import Fraction
from pathlib import Path
from typing import Sequence

import av
import numpy as np

from course_utils.validation import check_path, check_scalar
from course_utils.video.frames import VideoPath, validate_frames

__all__ = ["write_video", "DEFAULT_CODECS", "PIXEL_FORMATS"]

#: Codec chosen from the file extension by :func:`write_video`.
DEFAULT_CODECS = {".mp4": "libx264", ".mkv": "libx264", ".mov": "libx264", ".webm": "libvpx-vp9", ".avi": "mpeg4"}

#: Encoders :func:`write_video` accepts, with the pixel format each is given.
PIXEL_FORMATS = {"libx264": "yuv420p", "libvpx-vp9": "yuv420p", "libvpx": "yuv420p", "mpeg4": "yuv420p",
                 "mjpeg": "yuvj420p"}


def _frame_rate(fps: object) -> Fraction:
    """``fps`` as a fraction whose denominator is at most 1001; decimal NTSC rates (29.97, ...) become 30000/1001, ..."""
    value = check_scalar(fps, "fps", numbers.Real, min_val=0, include_boundaries="neither")
    rate = (fps if isinstance(fps, Fraction) else Fraction(value)).limit_denominator(1001)
    whole = round(value * 1.001)
    if rate.denominator != 1 and whole > 0 and abs(value * 1.001 - whole) < 1e-3:
        rate = Fraction(whole * 1000, 1001)
    if rate <= 0:
        raise ValueError(f"expected fps of at least 1/1001 frame per second, got {fps!r}")
    return rate


def _codec_for(suffix: str, codec: object) -> str:
    """The encoder to use for a file ending in ``suffix``, or one clear error."""
    if suffix not in DEFAULT_CODECS:
        raise ValueError(
            f"expected path with a video extension ({', '.join(sorted(DEFAULT_CODECS))}), got one with {suffix!r}"
        )
    if codec is None:
        codec = DEFAULT_CODECS[suffix]
        return codec if codec in av.codecs_available else "mpeg4"
    codec = check_scalar(codec, "codec", str)
    if codec not in PIXEL_FORMATS:
        raise ValueError(f"unsupported video codec {codec!r}; use one of {', '.join(PIXEL_FORMATS)}, "
                         "or codec=None for the extension's default")
    if codec not in av.codecs_available:
        raise ValueError(f"this FFmpeg build has no {codec!r} encoder; pass codec=None for the extension's default")
    return codec


def write_video(
    path: VideoPath,
    frames: np.ndarray | Sequence[np.ndarray],
    fps: float | Fraction = 25,
    codec: str | None = None,
    gop_size: int | None = None,
) -> Path:
    """Encode frames into a video file with PyAV, the same frames always giving the same file.

    Parameters
    ----------
    path : str or Path
        Output file; the extension (``.mp4``, ``.mkv``, ``.mov``, ``.webm``, ``.avi``) picks the container.
    frames : array, shape (K, H, W, 3)
        uint8, or floats in [0, 1] (rounded to 8 bits).
    fps : float, int or Fraction
        Frame rate, stored as a fraction with a denominator of at most 1001
        (``29.97`` is the NTSC rate 30000/1001).
    codec : str, optional
        One of :data:`PIXEL_FORMATS`. Defaults by extension (:data:`DEFAULT_CODECS`):
        H.264 for mp4/mkv/mov, VP9 for webm, MPEG-4 part 2 for avi, or ``mpeg4`` when
        the installed FFmpeg lacks the default.
    gop_size : int, optional
        Frames between keyframes (the encoder's default when omitted).

    Returns
    -------
    pathlib.Path
        The file written; nothing is left at ``path`` when encoding fails.

    Notes
    -----
    H.264 in 4:2:0 needs even widths and heights; odd-sized frames are
    written in 4:4:4 (``yuv444p``), which some players do not support.

    Examples
    --------
    >>> import tempfile, os
    >>> from course_utils.video.reader import probe_video
    >>> path = os.path.join(tempfile.mkdtemp(), "ntsc.mp4")
    >>> round(probe_video(write_video(path, np.zeros((3, 16, 16, 3), np.uint8), fps=29.97)).fps, 5)
    29.97003
    """
    clip = validate_frames(frames)
    if clip.dtype != np.uint8:
        clip = np.round(clip * 255.0).astype(np.uint8)
    p = check_path(path)
    codec = _codec_for(p.suffix.lower(), codec)
    rate = _frame_rate(fps)
    if gop_size is not None:
        gop_size = check_scalar(gop_size, "gop_size", int, min_val=1)
    _, height, width, _ = clip.shape
    odd = width % 2 or height % 2
    pix_fmt = "yuv444p" if (odd and codec == "libx264") else PIXEL_FORMATS[codec]
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        with av.open(str(p), mode="w") as container:
            stream = container.add_stream(codec, rate=rate)
            stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
            # One thread and, for H.264, no lookahead or macroblock-tree rate control: the same frames always
            # give the same file (the PyAV wheel's libx264 otherwise varies from run to run).
            stream.codec_context.thread_count = 1
            if codec == "libx264":
                stream.options = {"x264-params": "mbtree=0:rc-lookahead=0"}
            if gop_size is not None:
                stream.codec_context.gop_size = gop_size
            for image in clip:
                for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgb24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    except (av.FFmpegError, ValueError) as exc:  # PyAV raises ValueError for a codec the container refuses
        p.unlink(missing_ok=True)
        raise ValueError(
            f"could not write {codec} video of size {width}x{height} into a {p.suffix} file ({exc}); "
            f"use codec=None for the extension's default ({DEFAULT_CODECS[p.suffix.lower()]})"
        ) from None
    return p
