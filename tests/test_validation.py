"""The one rule for scalar inputs (course_utils.validation.check_scalar) and the finiteness check."""

import math
import numbers

import numpy as np
import pytest

from course_utils.validation import audio_as_float, check_array, check_finite, check_sample_rate, check_scalar


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
    with pytest.raises(ValueError, match=r"threshold contains NaN or infinite values \(got -?(nan|inf)\)"):
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


def test_one_finite_message_for_numbers_arrays_and_tensors():
    import torch

    messages = []
    for value in (float("nan"), np.array([0.0, np.inf]), torch.tensor([0.0, float("nan")])):
        with pytest.raises(ValueError) as info:
            check_finite(value, "x")
        messages.append(str(info.value))
    assert all(m.startswith("x contains NaN or infinite values (") for m in messages), messages


@pytest.mark.parametrize(
    "value, error, message",
    [
        (None, TypeError, r"expected x as an array of floats or integers, got None \(NoneType\)"),
        ("abc", TypeError, "got 'abc'"),
        (np.array(["a"]), TypeError, "expected x as floats or integers, got dtype <U1"),
        (np.array([1j, 1]), TypeError, "expected x as real numbers, got complex values"),
        (np.array([]), ValueError, "expected x with at least one value"),
        (np.array(0.5), ValueError, r"expected x as a 1-D or 2-D array, got shape \(\)"),
        ([[1.0, np.nan]], ValueError, "x contains NaN or infinite values"),
    ],
)
def test_check_array_says_what_it_got(value, error, message):
    with pytest.raises(error, match=message):
        check_array(value, "x", ndim=(1, 2))


def test_check_array_requires_a_tensor_when_asked():
    import torch

    assert check_array(torch.zeros(2, 3), "t", ndim=2, tensor=True).shape == (2, 3)
    with pytest.raises(TypeError, match="expected t as a torch.Tensor, got array"):
        check_array(np.zeros((2, 3)), "t", tensor=True)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: check_sample_rate("22050"), "expected sr as a number, got '22050'"),
        (lambda: check_sample_rate(None), "expected sr as a number, got None"),
        (lambda: audio_as_float(np.array(["a"])), "expected y as floats or integers, got dtype <U1"),
        (lambda: audio_as_float(np.array([0.1j, 0.2])), "complex"),
    ],
)
def test_wrong_kinds_of_audio_arguments_raise_type_error(call, message):
    # these raised ValueError for a wrong type, against the module's own rule
    with pytest.raises(TypeError, match=message):
        call()


def test_a_sample_rate_out_of_range_is_still_a_value_error():
    with pytest.raises(ValueError, match="whole number of samples per second"):
        check_sample_rate(22050.5)
    with pytest.raises(ValueError, match="whole number of samples per second"):
        check_sample_rate(10)


def test_16_bit_samples_in_a_wider_integer_array_are_refused_not_played_at_1_65536():
    sixteen_bit = (np.sin(np.linspace(0, 20, 2000)) * 20000).astype(np.int16)
    for wide in (np.int32, np.int64):
        with pytest.raises(ValueError, match="16-bit samples in a wider array"):
            audio_as_float(sixteen_bit.astype(wide))
    with pytest.raises(ValueError, match="16- or 32-bit PCM"):
        audio_as_float((sixteen_bit.astype(np.int64) << 16))
    true_32_bit = sixteen_bit.astype(np.int32) << 16          # real 32-bit PCM keeps its level
    np.testing.assert_allclose(audio_as_float(true_32_bit), sixteen_bit / 32768, atol=1e-6)
