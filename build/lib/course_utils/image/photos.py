"""Sample data that ships offline: real photos from scikit-image and
scikit-learn, the book's seeded colour patterns, and near-duplicate copies.

Nothing here downloads. Every photo comes from a file inside an installed
package, and every random step takes a ``seed``.
"""

from __future__ import annotations

import io
from typing import Callable

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from course_utils.image.io import ImageLike, to_rgb_image
from course_utils.validation import check_choice, check_scalar


def _sklearn_photo(index: int) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        from sklearn.datasets import load_sample_images

        return load_sample_images().images[index]

    return load


def _skimage_photo(name: str) -> Callable[[], np.ndarray]:
    def load() -> np.ndarray:
        import skimage.data

        return getattr(skimage.data, name)()

    return load


#: Photo name → (loader, one-line description). Each file ships inside scikit-image or scikit-learn.
PHOTOS: dict[str, tuple[Callable[[], np.ndarray], str]] = {
    "cat": (_skimage_photo("chelsea"), "Chelsea the cat (scikit-image)"),
    "coffee": (_skimage_photo("coffee"), "a cup of espresso (scikit-image)"),
    "astronaut": (_skimage_photo("astronaut"), "astronaut Eileen Collins (scikit-image)"),
    "rocket": (_skimage_photo("rocket"), "a rocket on the launch pad (scikit-image)"),
    "temple": (_sklearn_photo(0), "a Chinese temple (scikit-learn 'china.jpg')"),
    "flower": (_sklearn_photo(1), "a flower close-up (scikit-learn 'flower.jpg')"),
    "galaxies": (_skimage_photo("hubble_deep_field"), "the Hubble deep field (scikit-image)"),
    "cells": (_skimage_photo("immunohistochemistry"), "stained tissue under a microscope (scikit-image)"),
    "cameraman": (_skimage_photo("camera"), "the cameraman, grayscale (scikit-image)"),
    "coins": (_skimage_photo("coins"), "Greek coins, grayscale (scikit-image)"),
}


def photo_names() -> list[str]:
    """Names accepted by :func:`sample_photo`."""
    return list(PHOTOS)


def sample_photo(name: str) -> Image.Image:
    """One real photo that ships offline, as an RGB ``PIL.Image``.

    Parameters
    ----------
    name : str
        One of :func:`photo_names` (``"cat"``, ``"coffee"``, ...).

    Returns
    -------
    PIL.Image.Image

    Raises
    ------
    ValueError
        If ``name`` is not a known photo.

    Examples
    --------
    >>> sample_photo("cat").size
    (451, 300)
    """
    return to_rgb_image(PHOTOS[check_choice(name, "name", PHOTOS)][0]())


def sample_photos(names: list[str] | None = None) -> dict[str, Image.Image]:
    """Several photos by name, in order: all of them for ``None``, none for an empty list.

    Raises
    ------
    TypeError
        If ``names`` is a single string (pass ``[name]``) or not a list of strings.
    ValueError
        If a name is not a known photo.
    """
    if names is None:
        names = photo_names()
    else:
        check_scalar(names, "names", (list, tuple))  # a bare string would be read letter by letter
    return {n: sample_photo(n) for n in names}


def book_color_patterns(seed: int = 42, size: int = 224) -> dict[str, Image.Image]:
    """The book's three noisy colour squares (5.1): red, blue and orange.

    Pixels are drawn uniformly per channel from the book's ranges with a
    ``RandomState(seed)``, the same stream as ``np.random.seed(seed)``, so
    the pixels are identical to the book's without touching global state.

    Parameters
    ----------
    seed : int
    size : int
        Width and height in pixels.

    Returns
    -------
    dict of str to PIL.Image.Image
        ``{"red_pattern", "blue_pattern", "orange_pattern"}`` in that order.

    Raises
    ------
    TypeError
        If ``seed`` or ``size`` is not an integer.
    ValueError
        If ``seed`` is outside 0 to 2**32 - 1 or ``size`` < 1.
    """
    seed = check_scalar(seed, "seed", int, min_val=0, max_val=2**32 - 1)
    size = check_scalar(size, "size", int, min_val=1)
    rng = np.random.RandomState(seed)
    ranges = {
        "red_pattern": ([180, 0, 0], [255, 80, 80]),
        "blue_pattern": ([0, 0, 180], [80, 80, 255]),
        "orange_pattern": ([200, 100, 0], [255, 150, 50]),
    }
    return {
        name: Image.fromarray(rng.randint(low, high, (size, size, 3), dtype=np.uint8))
        for name, (low, high) in ranges.items()
    }


#: Edits a copier might make to a photo, each a function of (image, rng).
AUGMENTATIONS: dict[str, Callable[[Image.Image, np.random.Generator], Image.Image]] = {}


def _register(name: str):
    def wrap(fn):
        AUGMENTATIONS[name] = fn
        return fn

    return wrap


@_register("flip")
def _flip(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    return ImageOps.mirror(img)


@_register("crop")
def _crop(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    w, h = img.size
    keep = rng.uniform(0.7, 0.85)
    cw, ch = int(w * keep), int(h * keep)
    x0 = int(rng.integers(0, w - cw + 1))
    y0 = int(rng.integers(0, h - ch + 1))
    return img.crop((x0, y0, x0 + cw, y0 + ch))


@_register("brightness")
def _brightness(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    factor = rng.choice([rng.uniform(0.55, 0.75), rng.uniform(1.3, 1.5)])
    return ImageEnhance.Brightness(img).enhance(float(factor))


@_register("jpeg")
def _jpeg(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=int(rng.integers(8, 15)))
    buffer.seek(0)
    with Image.open(buffer) as out:
        return out.convert("RGB")


def augment(image: ImageLike, kind: str, seed: int = 0) -> Image.Image:
    """A near-duplicate of ``image``: mirrored, cropped, re-lit or re-compressed.

    Parameters
    ----------
    image : image-like
    kind : str
        ``"flip"``, ``"crop"`` (keep 70-85% of each side), ``"brightness"``
        (×0.55-0.75 or ×1.3-1.5) or ``"jpeg"`` (quality 8-14).
    seed : int
        Seeds the random crop window, brightness factor and JPEG quality.

    Returns
    -------
    PIL.Image.Image

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``kind`` is unknown or ``seed`` is negative.

    Examples
    --------
    >>> augment(sample_photo("cat"), "flip").size
    (451, 300)
    """
    kind = check_choice(kind, "kind", AUGMENTATIONS)
    seed = check_scalar(seed, "seed", int, min_val=0)
    return AUGMENTATIONS[kind](to_rgb_image(image), np.random.default_rng(seed))
