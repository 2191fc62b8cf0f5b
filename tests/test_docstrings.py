"""The Examples sections of the helper package's docstrings run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import course_utils

MODULES = sorted(m.name for m in pkgutil.iter_modules(course_utils.__path__))


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"course_utils.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in course_utils.{name} failed"
