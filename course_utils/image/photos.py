"""Sample data that ships offline: real photos from scikit-image and
scikit-learn, the book's seeded colour patterns, and near-duplicate copies.

Nothing here downloads. Every photo comes from a file inside an installed
package, and every random step takes a ``seed``.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageEnhance, ImageOps

from course_utils.image.io import ImageLike, to_rgb_image
from course_utils.validation import check_choice, check_scalar

#: Photo name → (a ``skimage.data`` function, or an index into scikit-learn's sample images; description).
PHOTOS: dict[str, tuple[str | int, str]] = {
    "cat": ("chelsea", "Chelsea the cat (scikit-image)"),
    "coffee": ("coffee", "a cup of espresso (scikit-image)"),
    "astronaut": ("astronaut", "astronaut Eileen Collins (scikit-image)"),
    "rocket": ("rocket", "a rocket on the launch pad (scikit-image)"),
    "temple": (0, "a Chinese temple (scikit-learn 'china.jpg')"),
    "flower": (1, "a flower close-up (scikit-learn 'flower.jpg')"),
    "galaxies": ("hubble_deep_field", "the Hubble deep field (scikit-image)"),
    "cells": ("immunohistochemistry", "stained tissue under a microscope (scikit-image)"),
    "cameraman": ("camera", "the cameraman, grayscale (scikit-image)"),
    "coins": ("coins", "Greek coins, grayscale (scikit-image)"),
}

#: The edits :func:`augment` can make, in the order the 5.1 gallery shows them.
AUGMENTATIONS = ("flip", "crop", "brightness", "jpeg")


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

    Examples
    --------
    >>> sample_photo("cat").size
    (451, 300)
    """
    source = PHOTOS[check_choice(name, "name", PHOTOS)][0]
    if isinstance(source, int):
        from sklearn.datasets import load_sample_images

        return to_rgb_image(load_sample_images().images[source])
    import skimage.data

    return to_rgb_image(getattr(skimage.data, source)())


def sample_photos(names: list[str] | None = None) -> dict[str, Image.Image]:
    """Several photos by name, in order: all of them for ``None``, none for an empty list."""
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
        0 to 2**32 - 1.
    size : int
        Width and height in pixels.

    Returns
    -------
    dict of str to PIL.Image.Image
        ``{"red_pattern", "blue_pattern", "orange_pattern"}`` in that order.
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

    Examples
    --------
    >>> augment(sample_photo("cat"), "flip").size
    (451, 300)
    """
    kind = check_choice(kind, "kind", AUGMENTATIONS)
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    img = to_rgb_image(image)
    if kind == "flip":
        return ImageOps.mirror(img)
    if kind == "crop":
        w, h = img.size
        keep = rng.uniform(0.7, 0.85)
        cw, ch = int(w * keep), int(h * keep)
        x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        return img.crop((x0, y0, x0 + cw, y0 + ch))
    if kind == "brightness":
        factor = rng.choice([rng.uniform(0.55, 0.75), rng.uniform(1.3, 1.5)])
        return ImageEnhance.Brightness(img).enhance(float(factor))
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=int(rng.integers(8, 15)))
    with Image.open(buffer) as out:
        return out.convert("RGB")
