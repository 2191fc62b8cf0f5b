"""Project-wide pytest set-up.

Makes nbval compare printed numbers with the explicit tolerance documented in
:mod:`course_utils.tooling.nbval_tolerance` (one unit in the last printed decimal place),
instead of as exact strings. Every other part of an output must still match.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("PYTHONHASHSEED", "0")


def _install_tolerant_nbval() -> None:
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to patch
        return
    from course_utils.tooling.nbval_tolerance import align_within_tolerance

    if getattr(IPyNbCell.compare_outputs, "_course_tolerant", False):
        return
    original = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        return original(self, align_within_tolerance(test, ref), ref, skip_compare)

    compare_outputs._course_tolerant = True
    IPyNbCell.compare_outputs = compare_outputs


_install_tolerant_nbval()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """nbval's cells execute a notebook: give them the ``notebooks`` marker, so ``-m "not notebooks"`` skips them."""
    for item in items:
        if type(item).__name__ == "IPyNbCell" or str(item.fspath).endswith(".ipynb"):
            item.add_marker(pytest.mark.notebooks)


def pytest_report_header(config: pytest.Config) -> str:
    return "nbval numeric tolerance: ±1 unit in the last printed decimal place (course_utils.tooling.nbval_tolerance)"
