"""An image encoder: a pretrained CNN without its classifier, images in, vectors out.

Make one with :func:`course_utils.image.registry.load_image_encoder`. Preprocessing is
the spec's own ``transform()``, one image at a time; on a CPU :meth:`ImageEncoder.embed`
runs the network in **channels-last** memory layout (faster there, ``benchmarks/bench_images.py``),
a few images per forward pass. The result equals the book's one-image-at-a-time loop to about 1e-6.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np
import torch
from torch import nn

from course_utils.image.io import ImageLike, to_rgb_image
from course_utils.validation import check_finite, check_scalar

if TYPE_CHECKING:   # the registry builds encoders; an encoder only names the spec it was given
    from course_utils.image.registry import ImageModelSpec


class ImageEncoder:
    """A pretrained CNN with its classifier removed: images in, vectors out.

    Use :func:`course_utils.image.registry.load_image_encoder` to make one.

    Attributes
    ----------
    spec : ImageModelSpec
        Name, embedding size, preprocessing, class names, source and licence.
    model : torch.nn.Module
        The full network, classifier included: this encoder's own copy, in eval mode.
    device : torch.device
    memory_format : torch.memory_format
        ``torch.channels_last`` on a CPU (faster there), contiguous elsewhere.
    """

    def __init__(self, spec: ImageModelSpec, model: nn.Module, device: torch.device):
        self.spec = spec
        self.model = model.eval().to(device)
        self.device = device
        self.transform = spec.transform()
        self.memory_format = torch.channels_last if device.type == "cpu" else torch.contiguous_format
        # torchvision's ResNet has no embed(): use every layer but the final classifier, as the book does.
        self._trunk = None if hasattr(model, "embed") else nn.Sequential(*list(model.children())[:-1])

    def __repr__(self) -> str:
        return f"ImageEncoder({self.spec.name!r}, dim={self.spec.embedding_dim}, device={self.device})"

    @property
    def embedding_dim(self) -> int:
        """Length of one embedding vector."""
        return self.spec.embedding_dim

    @property
    def default_batch_size(self) -> int:
        """Images per forward pass when none is given: 4 on a CPU (larger batches fall out of the cache), else 64."""
        return 4 if self.device.type == "cpu" else 64

    def preprocess(self, images: ImageLike | Sequence[ImageLike]) -> torch.Tensor:
        """Images → the normalised ``(N, 3, crop, crop)`` float32 batch: ``spec.transform()`` of each, stacked.

        Parameters
        ----------
        images : image or non-empty sequence of images
            See :mod:`course_utils.image.io` for what counts as an image.
        """
        return torch.stack([self.transform(to_rgb_image(image)) for image in _as_batch(images, allow_empty=False)])

    def _forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.to(self.device, memory_format=self.memory_format)
        return self.model.embed(x) if self._trunk is None else torch.flatten(self._trunk(x), 1)

    @torch.no_grad()
    def embed_tensor(self, x: torch.Tensor) -> torch.Tensor:
        """Embed an already normalised ``(N, 3, H, W)`` float batch: the network without its classifier.

        Use this when you normalise pixels yourself (as the book's video code
        does); :meth:`embed` preprocesses for you.

        Returns
        -------
        torch.Tensor, shape (N, D), on :attr:`device`
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a preprocessed batch as a torch.Tensor, got {type(x).__name__}; "
                            "use embed() for images, arrays or paths")
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"expected a preprocessed batch of shape (N, 3, H, W), got {tuple(x.shape)}")
        if not x.is_floating_point():
            raise TypeError(f"expected a float batch normalised with spec.mean and spec.std, got dtype {x.dtype}; "
                            "use preprocess() or embed() to go from 8-bit pixels")
        if not bool(torch.isfinite(x).all()):
            check_finite(x.detach().float().cpu().numpy(), "the batch passed to embed_tensor")
        return self._forward(x)

    @torch.no_grad()
    def embed(self, images: ImageLike | Sequence[ImageLike], batch_size: int | None = None) -> np.ndarray:
        """Embed images as an ``(N, D)`` float32 array.

        Parameters
        ----------
        images : image or sequence of images
            PIL images, uint8/float arrays or file paths, any size or mode
            (see :mod:`course_utils.image.io`). A single image gives ``N = 1``;
            a 4-D array ``(N, H, W, 3)`` is read as N frames; an empty list
            gives ``N = 0``.
        batch_size : int, optional
            Images per forward pass (default :attr:`default_batch_size`); it changes the speed, not the vectors.

        Returns
        -------
        numpy.ndarray, shape (N, D), float32

        Examples
        --------
        >>> from course_utils.image.registry import load_image_encoder
        >>> encoder = load_image_encoder("efficientnet_lite0", device="cpu")
        >>> encoder.embed([np.zeros((8, 8, 3), np.uint8)] * 3, batch_size=2).shape
        (3, 1280)
        """
        size = check_scalar(self.default_batch_size if batch_size is None else batch_size, "batch_size", int, min_val=1)
        batch = _as_batch(images, allow_empty=True)
        out = np.empty((len(batch), self.embedding_dim), dtype=np.float32)
        for start in range(0, len(batch), size):
            x = self.preprocess(batch[start:start + size])
            out[start:start + len(x)] = self._forward(x).float().cpu().numpy()
        return out

    def embed_one(self, image: ImageLike) -> np.ndarray:
        """Embed one image as a ``(D,)`` vector."""
        return self.embed([image])[0]

    @torch.no_grad()
    def classify(self, images: ImageLike | Sequence[ImageLike], top: int = 3) -> list[list[tuple[str, float]]]:
        """The model's own class names and probabilities, ``top`` per image, most probable first.

        Returns
        -------
        list of lists of (str, float)
            One list per image of ``(class name from spec.categories, probability)``.
        """
        categories = self.spec.categories
        top = check_scalar(top, "top", int, min_val=1, max_val=len(categories))
        x = self.preprocess(images).to(self.device, memory_format=self.memory_format)
        probs = self.model(x).softmax(dim=1).cpu()
        if probs.shape[1] != len(categories):
            raise ValueError(f"{self.spec.name} outputs {probs.shape[1]} classes but its spec names "
                             f"{len(categories)}; was its classifier replaced?")
        values, indices = probs.topk(top, dim=1)
        return [[(categories[int(i)], float(v)) for v, i in zip(row_v, row_i)] for row_v, row_i in zip(values, indices)]


def _as_batch(images: object, allow_empty: bool) -> list:
    """A list, tuple or 4-D array is a batch; anything else is one image."""
    if isinstance(images, torch.Tensor):
        raise TypeError("expected images (PIL images, arrays or paths), got a torch.Tensor; "
                        "for an already preprocessed (N, 3, H, W) batch use embed_tensor()")
    if isinstance(images, (list, tuple)) or (isinstance(images, np.ndarray) and images.ndim == 4):
        batch = list(images)
    else:
        batch = [images]
    if not batch and not allow_empty:
        raise ValueError(f"expected at least one image, got an empty {type(images).__name__}; "
                         "pass an image or a non-empty list of images")
    return batch
