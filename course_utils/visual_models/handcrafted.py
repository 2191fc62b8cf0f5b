"""Hand-crafted image features: the baseline transfer learning has to beat (chapter 5.4).

Before deep networks, texture and surface recognition used features a person
designed: histograms of brightness and of edge strength, for example. They
need no training and ignore *where* things are in a patch, which is exactly
what raw pixels fail at. :func:`histogram_features` computes two such
histograms per grey image:

- the **intensity histogram**: the fraction of pixels in each of ``bins``
  equal brightness ranges over [0, 1];
- the **gradient-magnitude histogram**: the fraction of pixels in each of
  ``bins`` equal ranges of edge strength ``sqrt(gx**2 + gy**2)`` over
  ``[0, max_gradient]``, where ``gx`` and ``gy`` are central differences
  (:func:`numpy.gradient`); steeper edges count in the last bin.

Both are unchanged by shifting the content or turning it by 90 degrees; the
intensity histogram does change with lighting.
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

from course_utils.validation import check_array, check_scalar, check_unit_range


def histogram_features(images: ArrayLike, bins: int = 18, max_gradient: float = 0.25) -> np.ndarray:
    """Intensity and gradient-magnitude histograms of grey images, ``2 * bins`` numbers each.

    Parameters
    ----------
    images : array_like, shape (N, H, W) or (H, W)
        Grey images as floats in [0, 1] or uint8 in 0-255, each at least 2 x 2 pixels.
    bins : int
        Bins per histogram (default 18, so 36 numbers per image).
    max_gradient : float
        Upper end of the gradient-magnitude range, in brightness per pixel;
        larger magnitudes fall in the last bin.

    Returns
    -------
    numpy.ndarray, shape (N, 2 * bins), float64
        Per image: ``bins`` intensity fractions, then ``bins`` gradient
        fractions; each half sums to 1.

    Examples
    --------
    >>> flat = np.full((8, 8), 0.5)
    >>> f = histogram_features(flat, bins=4)
    >>> f.shape
    (1, 8)
    >>> f[0].tolist()
    [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0]
    """
    bins = check_scalar(bins, "bins", numbers.Integral, min_val=1)
    max_gradient = check_scalar(max_gradient, "max_gradient", numbers.Real, min_val=0,
                                include_boundaries="neither")
    x = check_array(images, "images", ndim=(2, 3), kinds="fu", shape="(N, H, W) or (H, W) grey")
    x = x / 255.0 if x.dtype == np.uint8 else x.astype(np.float64)  # uint8 pixels are 0-255, whatever they hold
    if x.ndim == 2:
        x = x[None]
    if x.shape[1] < 2 or x.shape[2] < 2:
        raise ValueError(f"expected grey images of at least 2 x 2 pixels, got shape {np.shape(images)}")
    check_unit_range(x, "images")
    pixels = x.shape[1] * x.shape[2]
    gy, gx = np.gradient(x, axis=(1, 2))
    magnitude = np.minimum(np.hypot(gx, gy), max_gradient)
    out = np.empty((x.shape[0], 2 * bins))
    for i in range(x.shape[0]):
        out[i, :bins] = np.histogram(x[i], bins=bins, range=(0.0, 1.0))[0] / pixels
        out[i, bins:] = np.histogram(magnitude[i], bins=bins, range=(0.0, max_gradient))[0] / pixels
    return out
