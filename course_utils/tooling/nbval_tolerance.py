"""Comparing notebook outputs with an explicit numeric tolerance.

nbval compares a re-executed notebook's outputs with the committed ones as
exact strings. Printed floats can move in the last digit between CPUs (oneDNN
picks different kernels on AVX2 and AVX-512 machines), so the course compares
text with this rule instead:

- everything that is not a number must match exactly;
- integers (counts, shapes, dimensions) must match exactly;
- a decimal number may differ by at most one unit in its last printed place
  (``0.898`` matches ``0.897`` and ``0.899`` but not ``0.896``), and numbers in
  scientific notation by a relative ``1e-3``.

The root ``conftest.py`` applies this rule to every nbval comparison.
"""

from __future__ import annotations

import math
import re

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")

#: How many units in the last printed decimal place a number may move.
LAST_DIGIT_UNITS = 1
#: Relative tolerance for numbers printed in scientific notation.
SCIENTIFIC_RTOL = 1e-3


def _numbers_close(ref: str, test: str) -> bool:
    if ref == test:
        return True
    if "." not in ref and "e" not in ref.lower():
        return False  # integers are exact
    try:
        r, t = float(ref), float(test)
    except ValueError:
        return False
    if "e" in ref.lower():
        return math.isclose(r, t, rel_tol=SCIENTIFIC_RTOL, abs_tol=0.0)
    decimals = len(ref.split(".")[1])
    if "." not in test or len(test.split(".")[1]) != decimals:
        return False
    step = 10.0 ** (-decimals)
    return abs(r - t) <= LAST_DIGIT_UNITS * step + step * 1e-6


def texts_match(reference: str, test: str) -> bool:
    """Whether two output texts agree under the course's numeric tolerance.

    Parameters
    ----------
    reference : str
        The committed output.
    test : str
        The freshly computed output.

    Returns
    -------
    bool

    Examples
    --------
    >>> texts_match("red ↔ orange: 0.898", "red ↔ orange: 0.899")
    True
    >>> texts_match("red ↔ orange: 0.898", "red ↔ orange: 0.901")
    False
    >>> texts_match("dimension: 2048", "dimension: 2047")
    False
    """
    if reference == test:
        return True
    ref_parts = _NUMBER.split(reference)
    test_parts = _NUMBER.split(test)
    if ref_parts != test_parts:
        return False
    return all(
        _numbers_close(r, t) for r, t in zip(_NUMBER.findall(reference), _NUMBER.findall(test))
    )


def align_within_tolerance(test_outputs: list, ref_outputs: list) -> list:
    """Return ``test_outputs`` with texts that match their reference replaced by it.

    Outputs are compared pairwise in order; a pair is only aligned when both
    have the same output type (and stream name). Anything else is left alone,
    so a real difference still fails the comparison that follows.
    """
    aligned = []
    for i, test in enumerate(test_outputs):
        ref = ref_outputs[i] if i < len(ref_outputs) else None
        if ref is None or test.get("output_type") != ref.get("output_type"):
            aligned.append(test)
            continue
        new = dict(test)
        for key, value in test.items():
            if isinstance(value, str) and isinstance(ref.get(key), str) and texts_match(ref[key], value):
                new[key] = ref[key]
        if isinstance(test.get("data"), dict) and isinstance(ref.get("data"), dict):
            data = dict(test["data"])
            for mime, value in data.items():
                ref_value = ref["data"].get(mime)
                if isinstance(value, str) and isinstance(ref_value, str) and texts_match(ref_value, value):
                    data[mime] = ref_value
            new["data"] = data
        aligned.append(type(test)(new))  # keeps nbformat's NotebookNode type
    return aligned
