"""The Examples sections of the helper package's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import course_utils

#: Every module of the package, sub-packages (audio, exercises, tooling) included.
MODULES = sorted(m.name.removeprefix("course_utils.")
                 for m in pkgutil.walk_packages(course_utils.__path__, prefix="course_utils."))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"course_utils.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in course_utils.{name} failed"
