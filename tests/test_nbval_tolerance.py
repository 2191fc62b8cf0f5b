"""The numeric tolerance nbval uses: ±1 in the last printed digit, integers and text exact."""

import nbformat
import pytest

from course_utils.tooling.nbval_tolerance import align_within_tolerance, texts_match


@pytest.mark.parametrize("ref,test,expected", [
    ("red ↔ orange: 0.898", "red ↔ orange: 0.898", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.899", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.897", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.900", False),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.90", False),
    ("red ↔ orange: 0.898", "red ↔ blue: 0.898", False),
    ("dim 2048", "dim 2049", False),
    ("shape (1, 3, 224, 224)", "shape (1, 3, 224, 224)", True),
    ("loss 1.234e-03", "loss 1.235e-03", True),
    ("loss 1.234e-03", "loss 1.300e-03", False),
    ("[0.    0.    0.416]", "[0.    0.    0.417]", True),
    ("-0.001", "0.000", True),
    ("a 0.5 b 0.25", "a 0.5 b 0.25 c", False),
])
def test_texts_match(ref, test, expected):
    assert texts_match(ref, test) is expected


def test_align_replaces_only_matching_texts():
    ref = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.500\n"})]
    close = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.501\n"})]
    far = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.510\n"})]
    assert align_within_tolerance(close, ref)[0]["text"] == "x 0.500\n"
    assert align_within_tolerance(far, ref)[0]["text"] == "x 0.510\n"


def test_align_handles_rich_outputs():
    ref = [nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": "v 1.00"}, "metadata": {}})]
    test = [nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": "v 1.01"}, "metadata": {}})]
    assert align_within_tolerance(test, ref)[0]["data"]["text/plain"] == "v 1.00"
