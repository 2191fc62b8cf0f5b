"""Which files are media, by their content, and the course's encoder for each kind.

A file is an **image** if Pillow reads its header, a **sound** if libsndfile opens it or FFmpeg finds an
audio stream and no video, a **video** if FFmpeg finds a video stream (not a cover picture, and not a
single picture read by FFmpeg's image demuxers). The extension plays no part: a text file renamed
``.jpg`` is not an image.

The encoders (:func:`course_embedders`):

- images: EfficientNet-Lite0 (:class:`~course_utils.image.encoder.ImageEncoder`), 1280-d, chapter 5.1;
- videos: the same Lite0 on 8 evenly sampled frames, averaged (:func:`~course_utils.video.embeddings.video_embedding`,
  chapter 5.3), so images and videos share one space and a photo can find a clip;
- sounds: aiSFX's learned 512-d sound-effects embedding (:func:`~course_utils.audio.sound_effects.aisfx_embedding`,
  chapter 5.2). Not raw MFCC statistics: chapter 5.2 measures that their cosines sit near 1 for almost any
  two sounds (MFCC 0, the level, dominates), so a nearest-neighbour list over them says little.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import av
import numpy as np
import soundfile
from PIL import Image, UnidentifiedImageError

from course_utils.validation import check_path

__all__ = ["IMAGE_MODEL", "IMAGE_DIM", "AUDIO_MODEL", "AUDIO_DIM", "VIDEO_FRAMES", "detect_modality",
           "Embedder", "course_embedders"]

#: FFmpeg demuxers that read single pictures: a file only they open is not a video.
_PICTURE_DEMUXERS = ("image2", "image2pipe", "tty")
#: The image model's name and size, written into the index (checked against the vectors it produces).
IMAGE_MODEL, IMAGE_DIM = "efficientnet_lite0", 1280
AUDIO_MODEL, AUDIO_DIM = "aisfx", 512
#: Frames sampled from each video (chapter 5.3's default).
VIDEO_FRAMES = 8


def detect_modality(path: Path) -> str:
    """``"image"``, ``"audio"`` or ``"video"`` from the file's content, reading only its header.

    Parameters
    ----------
    path : pathlib.Path
        A file.

    Returns
    -------
    str

    Raises
    ------
    ValueError
        One sentence saying why the file is not media (empty, or no decoder recognises it).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> Image.new("RGB", (8, 8)).save(folder / "picture.dat", format="PNG")   # the name says nothing
    >>> detect_modality(folder / "picture.dat")
    'image'
    >>> _ = (folder / "notes.txt").write_text("not a picture")
    >>> detect_modality(folder / "notes.txt")
    Traceback (most recent call last):
    ...
    ValueError: not an image, sound or video: neither Pillow, libsndfile nor FFmpeg recognises its content
    """
    path = check_path(path)
    if path.stat().st_size == 0:
        raise ValueError("empty file (0 bytes)")
    try:
        with Image.open(path):
            return "image"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        pass
    try:
        soundfile.info(str(path))
        return "audio"
    except (soundfile.LibsndfileError, RuntimeError):
        pass
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, ValueError):
        raise ValueError("not an image, sound or video: neither Pillow, libsndfile nor FFmpeg recognises "
                         "its content") from None
    with container:
        if container.format.name in _PICTURE_DEMUXERS or container.format.name.endswith("_pipe"):
            raise ValueError(f"not an image, sound or video: Pillow cannot open it, and FFmpeg sees only a "
                             f"single picture ({container.format.name}) in it")
        if any(not s.disposition & av.stream.Disposition.attached_pic for s in container.streams.video):
            return "video"
        if container.streams.audio:
            return "audio"
    raise ValueError("a media container with neither an audio nor a video stream")


def _read_audio(path: Path) -> tuple[np.ndarray, int]:
    """A sound file as mono float32 samples and its sample rate (libsndfile, or FFmpeg for mp3, m4a, ...)."""
    try:
        y, sr = soundfile.read(str(path), dtype="float32", always_2d=True)
        return y.mean(axis=1), int(sr)
    except (soundfile.LibsndfileError, RuntimeError):
        pass
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=stream.rate)
        chunks = [out.to_ndarray().ravel() for frame in container.decode(stream)
                  for out in resampler.resample(frame)]
        chunks += [out.to_ndarray().ravel() for out in resampler.resample(None)]
    return np.concatenate(chunks).astype(np.float32), int(stream.rate)


@dataclass(frozen=True)
class Embedder:
    """How one kind of media becomes a vector.

    Attributes
    ----------
    model : str
        The name stored with each vector; kinds with the same model share a search space.
    dim : int
        The vectors' length.
    load : callable
        ``load(path)`` decodes one file (raises if it cannot).
    embed : callable
        ``embed(list of loaded items)`` gives an ``(N, dim)`` array.
    """

    model: str
    dim: int
    load: Callable[[Path], Any]
    embed: Callable[[list], np.ndarray]


def course_embedders() -> dict[str, Embedder]:
    """The course's encoders for ``"image"``, ``"video"`` and ``"audio"``; each model loads on first use.

    The lesson modules (and torch) are imported on first use too, so a re-index with nothing new to
    embed never pays for importing them.

    Returns
    -------
    dict of str to Embedder
    """
    loaded: dict[str, Any] = {}

    def lite0():
        if "lite0" not in loaded:
            from course_utils.image.registry import load_image_encoder
            loaded["lite0"] = load_image_encoder(IMAGE_MODEL)
        return loaded["lite0"]

    def load_image(path: Path):
        from course_utils.image.io import load_image
        return load_image(path)

    def sample(path: Path) -> np.ndarray:
        from course_utils.video import sample_frames
        return sample_frames(path, VIDEO_FRAMES)

    def embed_videos(clips: list) -> np.ndarray:
        from course_utils.video.embeddings import video_embedding
        return np.stack([video_embedding(clip, lite0()) for clip in clips])

    def embed_sounds(sounds: list) -> np.ndarray:
        from course_utils.audio.sound_effects import aisfx_embedding
        return np.stack([aisfx_embedding(y, sr) for y, sr in sounds])

    return {"image": Embedder(IMAGE_MODEL, IMAGE_DIM, load_image, lambda images: lite0().embed(images)),
            "video": Embedder(IMAGE_MODEL, IMAGE_DIM, sample, embed_videos),
            "audio": Embedder(AUDIO_MODEL, AUDIO_DIM, _read_audio, embed_sounds)}
