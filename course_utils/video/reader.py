"""Reading video files: probing, and sampling ``K`` frames (chapter 5.3).

Files are read with PyAV (``import av``), whose wheels ship FFmpeg, so mp4,
webm, mkv, mov, avi and MPEG-TS work without a system install.
:mod:`course_utils.video` explains which frames :func:`sample_frames` takes
and how. Three things a real file can do that a freshly written one does not:

- **Seeking misses.** Containers without an index (MPEG-TS) land on a keyframe
  *after* the wanted time: :func:`sample_frames` steps back, and decodes from
  the start where even the start cannot be reached by seeking.
- **Damaged data.** Bytes FFmpeg cannot decode raise one ``ValueError`` naming
  the file; a *truncated* file is sampled within what decodes, with a
  ``UserWarning`` saying how many sampled times fell outside it.
- **Orientation.** Phones store portrait video as landscape pictures plus a
  display matrix; quarter turns and mirror flips in it are applied, so frames
  come back as players show them.
"""

from __future__ import annotations

import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from course_utils.validation import check_choice, check_path
from course_utils.video.frames import VideoPath, check_num_frames

__all__ = ["VideoInfo", "probe_video", "sample_frames"]

#: The most memory, in bytes, that the frames one call returns may take (2 GB: a kernel on a laptop survives it).
MAX_FRAME_BYTES = 2 * 1024**3


@dataclass(frozen=True)
class VideoInfo:
    """What a video file says about its first video stream.

    Attributes
    ----------
    codec : str
    width, height : int
        Size of the frames as players show them (after a phone video's rotation).
    fps : float or None
        Average frame rate, when the file states one.
    n_frames : int or None
        Frame count from the container's header (webm and MPEG-TS often have none).
    duration : float or None
        Seconds, from the stream or else the container header.
    rotation : int
        Counter-clockwise degrees (0, 90, 180 or -90) the display matrix turns the stored pictures by.
    mirrored : bool
        Whether the display matrix also mirrors the picture left-right (after the rotation).
    """

    codec: str
    width: int
    height: int
    fps: float | None
    n_frames: int | None
    duration: float | None
    rotation: int = 0
    mirrored: bool = False


# ---------------------------------------------------------------- opening files and reporting damage

def _open_video(path: VideoPath):
    """Open ``path`` and return ``(container, video_stream)``, with one clear error per failure."""
    p = check_path(path)
    if not p.exists():
        raise FileNotFoundError(f"video file not found: {str(p)!r}")
    if p.is_dir():
        raise ValueError(f"expected a video file, got a folder: {p}")
    if p.stat().st_size == 0:
        raise ValueError(f"video file is empty (0 bytes): {p}; re-download or re-export it")
    try:
        container = av.open(str(p))
    except av.FFmpegError as exc:
        raise ValueError(
            f"could not read {p.name} as a video ({type(exc).__name__}); "
            "the file is corrupt or not a format FFmpeg knows (mp4, webm, mkv, mov, avi, ts, ...)"
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


@contextmanager
def _reporting_damage(path: VideoPath) -> Iterator[None]:
    """Turn an FFmpeg error met while demuxing or decoding into one ``ValueError`` sentence."""
    try:
        yield
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ValueError(
            f"{Path(path).name} is damaged: FFmpeg could not decode its video data ({reason}); "
            "re-download the file, or re-encode the part that still plays"
        ) from None


# ---------------------------------------------------------------- orientation

def _orientation(frame) -> tuple[bool, bool, bool]:
    """``(transpose, flip_rows, flip_cols)`` that turn a stored picture into the displayed one.

    From the frame's display matrix (FFmpeg's ``AV_FRAME_DATA_DISPLAYMATRIX``): nine int32 values whose top-left
    2 x 2 block ``[[a, b], [c, d]]`` maps a stored pixel ``(x, y)`` to the displayed ``(a x + c y, b x + d y)``.
    Only quarter turns and mirrors are recognised; any other matrix leaves the picture as stored.
    """
    side = frame.side_data.get("DISPLAYMATRIX")
    if side is None or len(bytes(side)) < 36:
        return False, False, False
    m = np.frombuffer(bytes(side)[:36], dtype=np.int32)  # native byte order, as FFmpeg stores it
    a, b, c, d = (float(v) for v in (m[0], m[1], m[3], m[4]))
    big = max(abs(a), abs(b), abs(c), abs(d))
    if big == 0:
        return False, False, False
    a, b, c, d = (round(v / big) if abs(v) > 0.99 * big or abs(v) < 0.01 * big else None for v in (a, b, c, d))
    if a == d == 0 and b and c:  # a quarter turn: displayed rows come from stored columns
        return True, b < 0, c < 0
    if b == c == 0 and a and d:
        return False, d < 0, a < 0
    return False, False, False


#: (transpose, flip_rows, flip_cols) -> (counter-clockwise degrees, then mirrored left-right?)
_TURNS = {
    (False, False, False): (0, False), (True, True, False): (90, False),
    (False, True, True): (180, False), (True, False, True): (-90, False),
    (False, False, True): (0, True), (True, True, True): (90, True),
    (False, True, False): (180, True), (True, False, False): (-90, True),
}


def _displayed(frame) -> np.ndarray:
    """The frame as an RGB array, turned the way players show it."""
    rgb = frame.to_ndarray(format="rgb24")
    transpose, flip_rows, flip_cols = _orientation(frame)
    if transpose:
        rgb = rgb.transpose(1, 0, 2)
    if flip_rows:
        rgb = rgb[::-1]
    if flip_cols:
        rgb = rgb[:, ::-1]
    return np.ascontiguousarray(rgb)


# ---------------------------------------------------------------- the timeline

def probe_video(path: VideoPath) -> VideoInfo:
    """Read a video file's header, and its first frame for the orientation.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    VideoInfo
    """
    container, stream = _open_video(path)
    with container, _reporting_damage(path):
        rate = stream.average_rate or stream.guessed_rate
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        width, height = stream.codec_context.width, stream.codec_context.height
        first = next(iter(container.decode(stream)), None)
        turn = _orientation(first) if first is not None else (False, False, False)
        if turn[0]:
            width, height = height, width
        rotation, mirrored = _TURNS[turn]
        return VideoInfo(codec=stream.codec_context.name, width=width, height=height,
                         fps=float(rate) if rate else None, n_frames=int(stream.frames) if stream.frames else None,
                         duration=duration, rotation=rotation, mirrored=mirrored)


def _timeline(path: VideoPath) -> tuple[int, Fraction]:
    """``(start_pts, duration_pts)`` of the first video stream, in its time base.

    From the header when it has a duration, else from one pass over the packets' timestamps (no decoding).
    """
    container, stream = _open_video(path)
    with container, _reporting_damage(path):
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


def _frame_step(stream) -> Fraction:
    """One frame's duration in the stream's time base (from the stated frame rate; 1 if none)."""
    rate = stream.average_rate or stream.guessed_rate
    if rate and stream.time_base:
        return max(Fraction(1), 1 / (Fraction(rate) * stream.time_base))
    return Fraction(1)


# ---------------------------------------------------------------- picking frames

class _Picker:
    """Fills ``out[i]`` with the decoded frame on screen at ``targets[i]`` (times in the stream's time base).

    ``outside`` counts the targets outside the frames that decode (only in truncated or damaged files).
    """

    def __init__(self, targets: list[Fraction], step: Fraction):
        self.targets, self.step = targets, step
        self.out: list = [None] * len(targets)
        self.outside = 0
        self.first_pts: int | None = None  # of the first frame that decodes, once a walk from the start saw it
        self.last_end: Fraction | None = None  # when the last frame that decodes leaves the screen, once seen

    def walk(self, frames: Iterator, first_target: int, seeking: bool = False, from_start: bool = False) -> int:
        """Walk decoded ``frames`` forward, giving each target from ``first_target`` on the last frame at or before it.

        With ``seeking`` (the walk started at a keyframe) it stops once the next target lies further ahead than
        this walk had to decode to reach its first one: a fresh seek is then cheaper than decoding on.
        ``from_start`` (the walk began at the start of the file) gives a target before the first frame that frame.
        Returns the index of the first unfilled target; ``first_target`` itself means the first frame decoded was
        already past it.
        """
        targets, out = self.targets, self.out
        i, previous, first_pts = first_target, None, None
        for frame in frames:
            if frame.pts is None:
                raise ValueError("the video's frames carry no timestamps; it cannot be sampled by time")
            if first_pts is None:
                first_pts = frame.pts
                if from_start:
                    self.first_pts = frame.pts
            while i < len(targets) and frame.pts > targets[i]:
                if previous is None and not from_start:
                    return i  # this target lies before the first frame decoded: the caller must go back
                if previous is None:
                    self.outside += 1  # nothing before the first frame decodes: it is the nearest one
                out[i] = frame if previous is None else previous
                i += 1
            if i == len(targets):
                return i
            if seeking and i > first_target and targets[i] - frame.pts > targets[first_target] - first_pts:
                return i
            previous = frame
        if previous is not None and i < len(targets):  # end of file: the last frame stays on screen
            self.last_end = previous.pts + (getattr(previous, "duration", None) or self.step)
            self.outside += sum(1 for t in targets[i:] if t >= self.last_end)
            out[i:] = [previous] * (len(targets) - i)
            i = len(targets)
        return i

    def frames(self) -> np.ndarray:
        """The picked frames as one ``(K, H, W, 3)`` uint8 array, each decoded frame converted once."""
        arrays: dict[int, np.ndarray] = {}
        for frame in self.out:
            if id(frame) not in arrays:
                arrays[id(frame)] = _displayed(frame)
        return np.stack([arrays[id(frame)] for frame in self.out])

    def warn_if_outside(self, path: VideoPath, start: int, duration: Fraction, time_base: Fraction) -> None:
        """Warn, naming the count, when some targets fell outside the frames that decode."""
        if not self.outside:
            return
        known = []
        if self.first_pts is not None and self.first_pts > start:
            known.append(f"the first starts at {float((self.first_pts - start) * time_base):.2f} s")
        if self.last_end is not None:
            known.append(f"the last ends at {float((self.last_end - start) * time_base):.2f} s")
        where = f" ({' and '.join(known)} of the {float(duration * time_base):.2f} s the file states)" if known else ""
        verb = "lies" if self.outside == 1 else "lie"
        warnings.warn(
            f"{Path(path).name} looks truncated or damaged: {self.outside} of the {len(self.targets)} sampled "
            f"times {verb} outside the frames that decode{where}, so they repeat the nearest frame that does; "
            "re-download the file if you expected more",
            UserWarning,
            stacklevel=4,
        )


# ---------------------------------------------------------------- reading frames

def sample_frames(path: VideoPath, num_frames: int = 8, method: str = "seek") -> np.ndarray:
    """Read ``num_frames`` RGB frames spread evenly over a video file's duration.

    Parameters
    ----------
    path : str or Path
        Any file FFmpeg reads (mp4, webm, mkv, mov, avi, ts, ...).
    num_frames : int
        How many frames to return (``K``); frames repeat when the file has fewer.
    method : {"seek", "decode"}
        ``"seek"`` jumps to the keyframe before each sampled time and decodes
        forward to it; ``"decode"`` decodes every frame (the slow reference).
        Both return the same frames.

    Returns
    -------
    numpy.ndarray, shape (num_frames, height, width, 3), uint8
        Turned as players show them.

    Raises
    ------
    ValueError
        For an empty, corrupt, damaged or audio-only file, or frames that would
        take more than :data:`MAX_FRAME_BYTES`.

    Warns
    -----
    UserWarning
        When the file is truncated, so that some sampled times fall after its
        last frame that decodes (they get that frame); the warning says how many.

    Examples
    --------
    >>> import tempfile, os
    >>> from course_utils.video.writer import write_video
    >>> path = os.path.join(tempfile.mkdtemp(), "grey.mp4")
    >>> _ = write_video(path, np.full((10, 32, 32, 3), 128, np.uint8), fps=10)
    >>> sample_frames(path, 4).shape
    (4, 32, 32, 3)
    """
    k = check_num_frames(num_frames)
    method = check_choice(method, "method", ("seek", "decode"))
    info = probe_video(path)
    need = k * info.height * info.width * 3
    if need > MAX_FRAME_BYTES:
        raise ValueError(f"{k} sampled frames of {Path(path).name} ({k} frames of {info.width}x{info.height}) would "
                         f"take about {need / 1024**3:.1f} GB, above the {MAX_FRAME_BYTES / 1024**3:.0f} GB limit; "
                         "sample fewer frames with sample_frames(path, num_frames=8)")
    start, duration = _timeline(path)
    targets = [start + Fraction(2 * i + 1, 2 * k) * duration for i in range(k)]
    return _sample(path, targets, start, duration, seek=method == "seek")


def _sample(path: VideoPath, targets: list[Fraction], start: int, duration: Fraction, seek: bool) -> np.ndarray:
    """The frames on screen at ``targets``: by seeking to keyframes, or (``seek=False``) by decoding from the start."""
    container, stream = _open_video(path)
    try:
        with _reporting_damage(path):
            picker = _Picker(targets, _frame_step(stream))
            first, i = stream.start_time or 0, 0
            while i < len(targets):
                j = _seek_and_walk(container, stream, picker, i, first) if seek else i
                if j == i:
                    # Decode from the start: the reference method, or where every seek, even to the start, landed
                    # after the target (MPEG-TS has no index to seek by); then seek on.
                    if seek:
                        container.close()
                        container, stream = _open_video(path)
                    j = picker.walk(container.decode(stream), i, seeking=seek, from_start=True)
                    if j == i:
                        raise ValueError(f"{Path(path).name} contains no decodable video frames")
                i = j
            picker.warn_if_outside(path, start, duration, stream.time_base)
            return picker.frames()
    finally:
        container.close()


def _seek_and_walk(container, stream, picker: _Picker, i: int, start: int) -> int:
    """Seek to the keyframe before target ``i`` and walk forward; step further back while the seek lands after it."""
    back = Fraction(0)
    while True:
        seek_to = max(int(picker.targets[i] - back), start)
        container.seek(seek_to, stream=stream, backward=True, any_frame=False)
        j = picker.walk(container.decode(stream), i, seeking=True)
        if j > i or seek_to == start:
            return j
        # The keyframe we landed on is shown after the target (containers index keyframes by decode
        # time, which can be earlier than display time, and MPEG-TS seeks by byte guesses): step back.
        back = max(2 * back, picker.step)

