"""A learned sound-effects embedding, offline: aiSFX (Ma and Lerch, ISMIR 2022) (chapter 5.2).

aiSFX is a 9-layer convolutional network trained to classify sound effects in
nine commercial libraries (Pro Sound Effects, Soundly, UCS Mixed, ...); its
convolutional part gives 512 numbers per block of 100 spectrogram frames
(about 2.3 s at 44.1 kHz). The weights ship inside the PyPI package ``aisfx``
0.1.2, so it works with no network. That package pins numpy 1.23 and librosa
0.9.2, which the course cannot use, so the course installs it with
``pip install --no-deps`` and uses only its network definition and weights;
the front end below is the package's librosa one, computed on an array.

Licence: the pre-trained model is © 2022 A. B. Ma and A. Lerch, released under
Creative Commons Attribution 4.0 International (CC BY 4.0), see :data:`AISFX_CREDIT`.

The checkpoint is a pickle that ``torch.load`` opens only with
``weights_only=False`` (it holds NumPy scalars), which would run any code a
tampered file held: :func:`load_aisfx` first checks the file's SHA-256
against :data:`AISFX_SHA256` and refuses any other file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import librosa
import numpy as np
import torch
from numpy.typing import ArrayLike

from course_utils.errors import AssetUnavailableError
from course_utils.validation import check_audio, check_path, check_scalar

#: The model's input: 44.1 kHz audio, 2 048-sample windows every 1 024 samples, 96 mel bands.
AISFX_SR = 44100
AISFX_HOP = 1024
AISFX_BLOCK = 100        # frames per embedding block: 100 × 1 024 / 44 100 ≈ 2.3 s
#: SHA-256 of ``aisfx/models/checkpoint.pth`` in aisfx 0.1.2 (the file torch.load unpickles).
AISFX_SHA256 = "499ea75909c932a2f94c35fa722fa4fabc5bcb7e84917209cc5f7402627b7eb5"
AISFX_CREDIT = ("aiSFX (A. B. Ma and A. Lerch, 'Representation Learning for the Automatic Indexing of Sound "
                "Effects Libraries', ISMIR 2022), pre-trained model © 2022 the authors, CC BY 4.0")
_SPEC_MAX = 9.457798957824707     # the package's 'original' min-max normalisation: (log spectrogram - 0) / this
_CACHE: dict[str, torch.nn.Module] = {}


def _checkpoint() -> tuple[Path, type]:
    try:
        from aisfx.models import cnn2d
    except ImportError:
        raise ImportError(
            "the aiSFX embedding needs the aisfx package, which is not installed; run `make setup`, or "
            "`pip install --no-deps aisfx==0.1.2` (--no-deps: it pins numpy 1.23 and librosa 0.9.2)"
        ) from None
    return Path(cnn2d.__file__).parent / "checkpoint.pth", cnn2d.EmbeddingNet


def load_aisfx(checkpoint: Path | None = None) -> torch.nn.Module:
    """aiSFX's embedding network with the weights shipped in ``aisfx`` 0.1.2, checked, in eval mode on the CPU.

    Parameters
    ----------
    checkpoint : pathlib.Path, optional
        The checkpoint file; by default the one inside the installed package
        (the only one loaded once and kept).

    Returns
    -------
    torch.nn.Module
        Maps spectrogram blocks ``(batch, 100, 96)`` to ``(batch, 512)``.

    Raises
    ------
    ImportError
        If ``aisfx`` is not installed.
    course_utils.errors.AssetUnavailableError
        If the checkpoint is missing or is not the file aisfx 0.1.2 ships
        (its SHA-256 differs): it is then never unpickled.
    """
    if checkpoint is None and "default" in _CACHE:
        return _CACHE["default"]
    shipped, embedding_net = _checkpoint()
    path = check_path(checkpoint, "checkpoint") if checkpoint is not None else shipped
    if not path.is_file():
        raise AssetUnavailableError(f"aiSFX's checkpoint is missing at {path}; reinstall it with "
                                    "`pip install --no-deps --force-reinstall aisfx==0.1.2`")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != AISFX_SHA256:
        raise AssetUnavailableError(
            f"expected aiSFX's checkpoint with SHA-256 {AISFX_SHA256}, got {digest} at {path}; not loading it "
            "(unpickling runs code): reinstall with `pip install --no-deps --force-reinstall aisfx==0.1.2`")
    # Safe: the bytes are the ones hashed above. weights_only=True refuses the NumPy scalars in the file.
    weights, _datasets = torch.load(path, map_location="cpu", weights_only=False)
    net = embedding_net("max", 3, 1, 64)
    net.load_state_dict({k.removeprefix("embedding_net."): v for k, v in weights.items()
                         if k.startswith("embedding_net.")})
    net.eval()
    if checkpoint is None:
        _CACHE["default"] = net
    return net


def aisfx_blocks(y: ArrayLike, sr: int, peak_normalise: bool = True) -> np.ndarray:
    """aiSFX's input: log-mel spectrogram blocks of 100 frames, as the package's librosa front end makes them.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio, checked like :func:`course_utils.audio.mfcc_embedding`.
    sr : int
        Sample rate in Hz; the audio is resampled to 44.1 kHz.
    peak_normalise : bool
        Scale the clip to a peak of 1 first, as the package does (so the
        volume never reaches the network); False feeds the level through.

    Returns
    -------
    numpy.ndarray of float32, shape (blocks, 100, 96)
        Blocks every 50 frames (the package's default half-block hop), the
        last partial one dropped; a clip shorter than one block is padded
        with zeros (silence).

    Examples
    --------
    >>> from course_utils.audio.sounds import brass_tone
    >>> aisfx_blocks(brass_tone(440.0, duration=0.5), sr=22050).shape
    (1, 100, 96)
    """
    y, sr = check_audio(y, sr)
    peak_normalise = check_scalar(peak_normalise, "peak_normalise", bool)
    y = librosa.resample(y, orig_sr=sr, target_sr=AISFX_SR) if sr != AISFX_SR else y
    if peak_normalise:
        y = y / np.abs(y).max()
    mel = librosa.feature.melspectrogram(y=y, sr=AISFX_SR, n_fft=2048, win_length=2048, hop_length=AISFX_HOP,
                                         n_mels=96, fmin=0.0, fmax=AISFX_SR / 2, htk=True, norm=1.0, power=2.0)
    spec = (np.log10(mel * 10000.0 + 1) / _SPEC_MAX).T                       # (frames, 96)
    hop = AISFX_BLOCK // 2
    n_blocks = max(1, 1 + (spec.shape[0] - AISFX_BLOCK) // hop)
    padded = np.vstack([spec, np.zeros((AISFX_BLOCK, spec.shape[1]))])
    return np.stack([padded[i * hop:i * hop + AISFX_BLOCK] for i in range(n_blocks)]).astype(np.float32)


def aisfx_embedding(y: ArrayLike, sr: int, peak_normalise: bool = True) -> np.ndarray:
    """One vector per clip: aiSFX's 512-number block embeddings averaged over the clip's blocks.

    Parameters
    ----------
    y : array_like, shape (n,)
        Mono audio.
    sr : int
        Sample rate in Hz.
    peak_normalise : bool
        As for :func:`aisfx_blocks`.

    Returns
    -------
    numpy.ndarray of float32, shape (512,)

    Examples
    --------
    >>> from course_utils.audio.sounds import flute_tone
    >>> aisfx_embedding(flute_tone(440.0, duration=0.5), sr=22050).shape
    (512,)
    """
    blocks = aisfx_blocks(y, sr, peak_normalise=peak_normalise)
    with torch.inference_mode():
        out = load_aisfx()(torch.from_numpy(blocks))
    return out.numpy().astype(np.float32).mean(axis=0)
