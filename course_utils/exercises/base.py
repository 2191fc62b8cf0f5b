"""What every exercise check returns, and the small tools the checks share."""


from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.similarity import cosine_similarity


#: How a passed and a failed check start when printed.
PASSED_PREFIX = "✔ Correct. "
FAILED_PREFIX = "✘ Not yet. "


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check.

    Attributes
    ----------
    passed : bool
        Whether the answer does what the exercise asks.
    message : str
        What is right, or what is off and what to look at next.

    Examples
    --------
    >>> CheckResult(True, "well done.")
    ✔ Correct. well done.
    """

    passed: bool
    message: str

    def __repr__(self) -> str:
        return (PASSED_PREFIX if self.passed else FAILED_PREFIX) + self.message

    __str__ = __repr__

    def __bool__(self) -> bool:
        return self.passed


def raised(what: str, err: Exception) -> CheckResult:
    return CheckResult(False, f"your {what} raised {type(err).__name__}: {err}. Fix that error first.")


def cos(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two flattened vectors; an all-zero or NaN vector raises (see course_utils.similarity)."""
    return cosine_similarity(np.ravel(a), np.ravel(b))


