"""Video files and frame sampling (chapter 5.3).

A decoded video is a 4-D array ``(frames, height, width, 3)`` (Figure 5.4).
This package reads, samples and writes such arrays, and
:mod:`course_utils.video.embeddings` turns them into vectors::

    from course_utils.image.registry import load_image_encoder
    from course_utils.video import sample_frames
    from course_utils.video.embeddings import video_embedding

    encoder = load_image_encoder("efficientnet_lite0")
    frames = sample_frames("my_clip.mp4", num_frames=8)   # (8, H, W, 3) uint8
    vector = video_embedding(frames, encoder)              # (1280,) float32

Files are read with PyAV (``import av``), whose wheels ship FFmpeg, so mp4,
webm, mkv, mov, avi and MPEG-TS work without a system install. The names
here come from three modules, one per idea:
:mod:`course_utils.video.frames` (clips as arrays, which frames to take),
:mod:`course_utils.video.reader` (probing, sampling, decoding files) and
:mod:`course_utils.video.writer` (encoding files); beside them
:mod:`~course_utils.video.embeddings` (frame vectors pooled into one),
:mod:`~course_utils.video.clips` (the book's clips and moving shapes, made by code) and
:mod:`~course_utils.video.figures` (Figure 5.5).

Which frames are sampled
------------------------
``K`` frames are taken at the centres of ``K`` equal slices of the clip's
duration: the frame on screen at time ``start + (k + 1/2) * duration / K``.
For a constant-frame-rate clip of ``n`` frames that is frame
``floor((2k + 1) n / (2K))`` (:func:`frame_indices`). Sampling by time, not by
frame number, keeps the same rule for variable-frame-rate files. When ``K`` is
larger than the number of frames, frames are **repeated** (every frame appears,
in order), so the result always has exactly ``K`` frames. Frames come back
turned the way players show them (a phone's portrait video is portrait).

How frames are read
-------------------
``method="seek"`` jumps to the keyframe before each sampled time and decodes
forward only to the wanted frame: sampling 8 frames from a long clip costs 8
seeks plus at most one keyframe interval (GOP) of decoding each, instead of
decoding the whole file. ``method="decode"`` decodes every frame from the start up
to the last sampled one and is the reference the tests compare against. Both use the same timeline, so they
return the same frames. When a container stores no duration (some webm/mkv
files), the duration is worked out by reading every packet's timestamp once
(cheap: no decoding) before seeking. When a seek lands after the wanted
time even from the start of the file (MPEG-TS has no index to seek by),
that stretch is decoded from the start instead. Damaged files, phone
rotation and the memory bound are described in :mod:`course_utils.video.reader`.
"""

from __future__ import annotations

from course_utils.video.frames import VideoPath, as_uint8, check_num_frames, frame_indices, validate_frames
from course_utils.video.reader import VideoInfo, probe_video, read_all_frames, sample_frames
from course_utils.video.writer import DEFAULT_CODECS, PIXEL_FORMATS, write_video

__all__ = [
    "VideoPath",
    "VideoInfo",
    "DEFAULT_CODECS",
    "PIXEL_FORMATS",
    "validate_frames",
    "frame_indices",
    "check_num_frames",
    "as_uint8",
    "probe_video",
    "sample_frames",
    "read_all_frames",
    "write_video",
]
