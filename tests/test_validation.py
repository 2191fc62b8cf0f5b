"""The one rule for scalar inputs (course_utils.validation.check_scalar) and the finiteness check."""

import math
import numbers

import numpy as np
import pytest

from course_utils.validation import check_finite, check_scalar


@pytest.mark.parametrize("value", [16, np.int64(16), np.int32(16), np.uint8(16)])
def test_python_and_numpy_integers_are_accepted_as_plain_ints(value):
    out = check_scalar(value, "patch_size", int, min_val=1)
    assert out == 16 and type(out) is int


@pytest.mark.parametrize("value", [True, False, np.bool_(True)])
def test_bools_are_never_numbers(value):
    with pytest.raises(TypeError, match=r"expected flag as an integer, got .* \(bool\)"):
        check_scalar(value, "flag", int)
    with pytest.raises(TypeError, match="bool"):
        check_scalar(value, "gain", float)


@pytest.mark.parametrize("value", [2.5, 2.0, np.float64(3.0), "4", None, [4]])
def test_floats_and_other_types_are_refused_for_integers(value):
    with pytest.raises(TypeError, match="expected batch_size as an integer"):
        check_scalar(value, "batch_size", int, min_val=1)


def test_message_names_the_value_and_its_type():
    with pytest.raises(TypeError, match=r"^expected batch_size as an integer, got 2\.5 \(float\)$"):
        check_scalar(2.5, "batch_size", int)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -math.inf, np.float32("nan")])
def test_nan_and_infinity_are_refused_for_reals(value):
    with pytest.raises(ValueError, match="expected threshold as a finite number"):
        check_scalar(value, "threshold", float)


def test_reals_accept_ints_and_numpy_floats_and_return_python_floats():
    for value in (3, np.int64(3), 3.0, np.float32(3.0)):
        out = check_scalar(value, "threshold", numbers.Real)
        assert out == 3.0 and type(out) is float


def test_bounds_are_inclusive_by_default():
    assert check_scalar(1, "k", int, min_val=1, max_val=5) == 1
    assert check_scalar(5, "k", int, min_val=1, max_val=5) == 5
    with pytest.raises(ValueError, match="expected k >= 1, got 0"):
        check_scalar(0, "k", int, min_val=1)
    with pytest.raises(ValueError, match="expected k <= 5, got 6"):
        check_scalar(6, "k", int, max_val=5)


def test_exclusive_bounds():
    with pytest.raises(ValueError, match="expected rate > 0"):
        check_scalar(0.0, "rate", float, min_val=0, include_boundaries="right")
    with pytest.raises(ValueError, match="expected rate < 1"):
        check_scalar(1.0, "rate", float, max_val=1, include_boundaries="left")
    assert check_scalar(0.5, "rate", float, min_val=0, max_val=1, include_boundaries="neither") == 0.5


def test_strings_are_checked_when_asked_for():
    assert check_scalar("cat", "name", str) == "cat"
    with pytest.raises(TypeError, match="expected name as a string, got 3 \\(int\\)"):
        check_scalar(3, "name", str)


def test_check_finite_names_the_first_bad_value():
    check_finite(np.array([1.0, 2.0]), "the embedding")
    check_finite(np.array([1, 2]), "integers are always finite")
    expected = r"the embedding contains NaN or infinite values \(first at flat index 2 of 4\)"
    with pytest.raises(ValueError, match=expected):
        check_finite(np.array([[1.0, 2.0], [np.inf, np.nan]]), "the embedding")
