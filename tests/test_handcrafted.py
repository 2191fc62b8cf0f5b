"""Tests for course_utils.visual_models.handcrafted: the hand-crafted baseline of chapter 5.4's transfer-learning test."""

import numpy as np
import pytest

from course_utils.visual_models.handcrafted import histogram_features


def test_a_vertical_edge_gives_the_histograms_worked_out_by_hand():
    img = np.zeros((8, 8))
    img[:, 4:] = 1.0  # dark left half, bright right half
    f = histogram_features(img, bins=4, max_gradient=0.25)[0]
    # intensity: half the pixels are 0 (first bin), half are 1 (last bin, right edge included)
    np.testing.assert_allclose(f[:4], [0.5, 0.0, 0.0, 0.5])
    # central differences: columns 3 and 4 change by 1 over 2 pixels = 0.5 > 0.25 (last bin); the other 6 are flat
    np.testing.assert_allclose(f[4:], [6 / 8, 0.0, 0.0, 2 / 8])


def test_each_histogram_sums_to_one():
    rng = np.random.default_rng(0)
    f = histogram_features(rng.random((5, 16, 16)))
    assert f.shape == (5, 36)
    np.testing.assert_allclose(f[:, :18].sum(axis=1), 1.0)
    np.testing.assert_allclose(f[:, 18:].sum(axis=1), 1.0)


def test_features_ignore_quarter_turns_and_where_the_pattern_sits():
    rng = np.random.default_rng(1)
    pattern = rng.random((6, 6))
    a, b = np.zeros((20, 20)), np.zeros((20, 20))
    a[2:8, 3:9] = pattern
    b[11:17, 10:16] = pattern  # the same pattern, elsewhere
    np.testing.assert_allclose(histogram_features(a), histogram_features(b))
    np.testing.assert_allclose(histogram_features(np.rot90(a)), histogram_features(a))


@pytest.mark.parametrize(
    "images, kwargs, error, message",
    [
        (np.full((2, 8, 8), 200.0), {}, ValueError, "divide by 255"),
        (np.full((2, 8, 8), 1, np.int64), {}, TypeError, "dtype int64"),
        (np.zeros((2, 8, 8, 3)), {}, ValueError, r"grey array, got shape \(2, 8, 8, 3\)"),
        (np.zeros((1, 1, 8)), {}, ValueError, "at least 2 x 2"),
        (np.full((8, 8), np.nan), {}, ValueError, "NaN"),
        (np.array([["a", "b"], ["c", "d"]]), {}, TypeError, "dtype <U1"),
        (np.ones((8, 8), complex), {}, TypeError, "complex"),
        (np.zeros((8, 8)), {"bins": 2.0}, TypeError, "bins as an integer"),
        (np.zeros((8, 8)), {"bins": 0}, ValueError, "bins >= 1"),
        (np.zeros((8, 8)), {"max_gradient": 0}, ValueError, "max_gradient > 0"),
    ],
)
def test_bad_input_raises_one_clear_error(images, kwargs, error, message):
    with pytest.raises(error, match=message):
        histogram_features(images, **kwargs)


def test_uint8_pixels_are_read_on_the_0_255_scale():
    # a uint8 image of 0s and 1s is almost black, not black and white
    dark = np.zeros((8, 8), np.uint8)
    dark[:, 4:] = 1
    intensity = histogram_features(dark, bins=4)[0, :4]
    assert intensity.tolist() == [1.0, 0.0, 0.0, 0.0]
    white = np.full((8, 8), 255, np.uint8)
    assert histogram_features(white, bins=4)[0, :4].tolist() == [0.0, 0.0, 0.0, 1.0]
