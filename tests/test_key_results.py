"""A key result that is not a finite number is refused where it is made, not later in ``course run``'s summary."""

import pytest

from course_utils.key_results import KeyResult


@pytest.mark.parametrize("field", ["value", "tolerance", "book", "low", "high"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_a_key_result_holding_nan_or_infinity_is_refused_naming_the_field(field, bad):
    numbers = dict(value=0.5, tolerance=0.01, book=0.5, low=0.4, high=0.6)
    numbers[field] = bad
    with pytest.raises(ValueError, match=rf"the {field} of KeyResult 'cosine' contains NaN or infinite values"):
        KeyResult("cosine", **numbers)


def test_a_key_result_over_seeds_with_a_nan_seed_is_refused():
    with pytest.raises(ValueError, match="contains NaN or infinite values"):
        KeyResult.over_seeds("recall@1", [0.6, float("nan"), 0.65], resolution=0.01)


def test_a_finite_key_result_keeps_its_numbers():
    result = KeyResult("cosine", 0.845, 0.005, book=0.898)
    assert (result.value, result.tolerance, result.book) == (0.845, 0.005, 0.898)
