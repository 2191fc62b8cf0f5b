"""What every exercise check returns, and the small tools the checks share."""

from __future__ import annotations

import inspect
import signal
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from course_utils.similarity import cosine_similarity
from course_utils.validation import describe

__all__ = ["PASSED_PREFIX", "FAILED_PREFIX", "CheckResult", "raised", "answer_problem", "run_answer", "describe",
           "number", "cos"]

#: How a passed and a failed check start when printed.
PASSED_PREFIX = "✔ Correct. "
FAILED_PREFIX = "✘ Not yet. "


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check: whether it ``passed``, and a ``message`` saying what is right or off.

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


class _TimeLimitExceeded(BaseException):
    """A learner's function ran past a check's time limit (a ``BaseException``, so ``except Exception`` misses it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_TimeLimitExceeded` once the block has run ``seconds`` (main thread on Unix, else no limit)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise _TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, stop)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer_delay:
            signal.setitimer(signal.ITIMER_REAL, outer_delay, outer_interval)


def answer_problem(what: str, fn: object, *args: object) -> CheckResult | None:
    """The failed result for an ``fn`` that is not a function or cannot take ``args``; None when it can.

    Examples
    --------
    >>> answer_problem("lookup function", "cat", "G")
    ✘ Not yet. expected your lookup function as a function, got 'cat' (str);
    pass the function itself (its name, without brackets).
    >>> answer_problem("lookup function", lambda: "cat", "G")
    ✘ Not yet. expected your lookup function to take 1 argument, got <lambda>();
    give it the parameters the exercise names.
    """
    if not callable(fn):
        return CheckResult(False, f"expected your {what} as a function, got {describe(fn)}; pass the function "
                                  "itself (its name, without brackets).")
    try:
        inspect.signature(fn).bind(*args)
    except TypeError:
        n = f"{len(args)} argument{'s' * (len(args) != 1)}"
        return CheckResult(False, f"expected your {what} to take {n}, got {getattr(fn, '__name__', '')}"
                                  f"{inspect.signature(fn)}; give it the parameters the exercise names.")
    except ValueError:   # a built-in without a signature: the call itself will say what is wrong
        pass
    return None


def run_answer(what: str, seconds: float, fn: Callable, *args: object) -> tuple[object, CheckResult | None]:
    """Run a learner's ``fn(*args)`` under a time limit: ``(its result, None)``, or ``(None, the failed CheckResult)``.

    An ``fn`` that is not a function or cannot take ``args`` gets :func:`answer_problem`'s result before it runs;
    a call that runs past ``seconds`` is stopped and told so; one that raises gives :func:`raised`.

    Examples
    --------
    >>> run_answer("lookup function", 5, lambda image: {}[image], "G")
    (None, ✘ Not yet. your lookup function raised KeyError: 'G'. Fix that error first.)
    """
    problem = answer_problem(what, fn, *args)
    if problem is not None:
        return None, problem
    try:
        with _time_limit(seconds):
            return fn(*args), None
    except _TimeLimitExceeded:
        return None, CheckResult(False, f"your {what} ran for more than {seconds:g} s and was stopped: "
                                        "look for a loop that never ends.")
    except Exception as err:  # a learner's function may raise anything
        return None, raised(what, err)


def number(value: float) -> str:
    """A response or score as checks print it: three decimals, or three significant digits when huge.

    Examples
    --------
    >>> number(2.4), number(2.4e200)
    ('2.400', '2.4e+200')
    """
    return f"{value:.3f}" if abs(value) < 1e6 else f"{value:.3g}"


def cos(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two flattened vectors, at any scale (:func:`course_utils.similarity.cosine_similarity`).

    Examples
    --------
    >>> round(cos(np.array([1e308, 0.0]), np.array([1e308, 1e308])), 3)
    0.707
    """
    return cosine_similarity(np.ravel(a), np.ravel(b))
