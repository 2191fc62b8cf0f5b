"""What the registry knows about one image model: its preprocessing, sizes, categories, source and licence.

A separate module so that both :mod:`course_utils.models` (the registry) and
:mod:`course_utils.image_encoder` (which runs a model) can import it, with the
arrows pointing one way: ``models`` → ``image_encoder`` → ``model_spec``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from torch import nn
from torchvision import transforms

__all__ = ["ImageModelSpec"]


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
        return transforms.Compose([
            transforms.Resize(self.resize_size),
            transforms.CenterCrop(self.crop_size),
            transforms.ToTensor(),
            transforms.Normalize(mean=self.mean, std=self.std),
        ])
