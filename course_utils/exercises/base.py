"""What every exercise check returns, and the small tools the checks share."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

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
    """The result for an answer that raised: the error's type and message, and what to do.

    Examples
    --------
    >>> raised("lookup function", KeyError("G"))
    ✘ Not yet. your lookup function raised KeyError: 'G'. Fix that error first.
    """
    return CheckResult(False, f"your {what} raised {type(err).__name__}: {err}. Fix that error first.")


class TimeLimitExceeded(BaseException):
    """A learner's function ran past a check's time limit (a ``BaseException``, so ``except Exception`` misses it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeLimitExceeded` inside the block once it has run ``seconds`` (main thread on Unix only).

    Where there is no ``SIGALRM`` (Windows) or the check runs outside the
    main thread, the block runs without a limit. The previous alarm handler
    and timer are restored.
    """
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, outer_delay, outer_interval)


def too_slow(what: str, seconds: float) -> CheckResult:
    """The result for an answer that ran past the time limit.

    Examples
    --------
    >>> too_slow("loss function", 30)
    ✘ Not yet. your loss function ran for more than 30 s and was stopped: look for a loop that never ends.
    """
    return CheckResult(False, f"your {what} ran for more than {seconds:g} s and was stopped: "
                              "look for a loop that never ends.")


def run_answer(what: str, seconds: float, call: Callable[[], object]) -> tuple[object, CheckResult | None]:
    """Run a learner's code under a time limit: ``(its result, None)``, or ``(None, the failed CheckResult)``.

    A call that runs past ``seconds`` gives :func:`too_slow`; one that raises gives :func:`raised`.

    Examples
    --------
    >>> run_answer("lookup function", 5, lambda: {}["G"])
    (None, ✘ Not yet. your lookup function raised KeyError: 'G'. Fix that error first.)
    """
    try:
        with time_limit(seconds):
            return call(), None
    except TimeLimitExceeded:
        return None, too_slow(what, seconds)
    except Exception as err:  # a learner's function may raise anything
        return None, raised(what, err)


def describe(value: object) -> str:
    """A short description of an answer for a message: its repr (cut at 60 characters) and its type.

    Examples
    --------
    >>> describe(None)
    'None (NoneType)'
    """
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def number(value: float) -> str:
    """A response or score as checks print it: three decimals, or three significant digits when huge.

    Examples
    --------
    >>> number(2.4), number(2.4e200)
    ('2.400', '2.4e+200')
    """
    return f"{value:.3f}" if abs(value) < 1e6 else f"{value:.3g}"


def cos(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two flattened, finite vectors, without overflow for huge values.

    A vector whose values are so large or small that its norm would overflow
    or underflow is first divided by its largest absolute value (the cosine
    does not change); other vectors are used as they are.

    Raises
    ------
    ValueError
        If a vector is all zeros or holds NaN/inf (see :func:`course_utils.similarity.cosine_similarity`).

    Examples
    --------
    >>> round(cos(np.array([1e308, 0.0]), np.array([1e308, 1e308])), 3)
    0.707
    """
    return cosine_similarity(_rescaled(a), _rescaled(b))


def _rescaled(v: np.ndarray) -> np.ndarray:
    v = np.ravel(np.asarray(v, dtype=np.float64))
    if v.size and np.all(np.isfinite(v)):
        peak = float(np.abs(v).max())
        if peak > 1e150 or 0.0 < peak < 1e-150:
            return v / peak
    return v
