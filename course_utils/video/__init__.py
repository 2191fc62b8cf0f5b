"""Video files and frame sampling (chapter 5.3).

A decoded video is a 4-D array ``(frames, height, width, 3)`` (Figure 5.4).
:mod:`~course_utils.video.frames` checks such arrays and picks frames,
:mod:`~course_utils.video.reader` probes and samples files (PyAV, whose wheels
ship FFmpeg), :mod:`~course_utils.video.writer` encodes them; beside them
:mod:`~course_utils.video.embeddings` (frame vectors pooled into one),
:mod:`~course_utils.video.clips` (clips made by code) and
:mod:`~course_utils.video.figures` (Figure 5.5)::

    from course_utils.image.registry import load_image_encoder
    from course_utils.video import sample_frames
    from course_utils.video.embeddings import video_embedding

    encoder = load_image_encoder("efficientnet_lite0")
    frames = sample_frames("my_clip.mp4", num_frames=8)   # (8, H, W, 3) uint8
    vector = video_embedding(frames, encoder)              # (1280,) float32

Which frames are sampled: ``K`` frames at the centres of ``K`` equal slices of
the clip's duration, the frame on screen at ``start + (k + 1/2) * duration / K``;
for ``n`` frames at a constant rate that is frame ``floor((2k + 1) n / (2K))``
(:func:`frame_indices`). Sampling by time keeps the rule for variable frame
rates. When ``K`` exceeds the frame count, frames repeat, so there are always
``K``. ``method="seek"`` jumps to the keyframe before each sampled time and
decodes forward only to the wanted frame; ``method="decode"`` decodes every
frame and is the reference the tests compare against.
"""

from __future__ import annotations

from course_utils.video.frames import VideoPath, check_num_frames, frame_indices, validate_frames
from course_utils.video.reader import VideoInfo, probe_video, sample_frames
from course_utils.video.writer import write_video

__all__ = [
    "VideoPath",
    "VideoInfo",
    "validate_frames",
    "frame_indices",
    "check_num_frames",
    "probe_video",
    "sample_frames",
    "write_video",
]
