"""Project-wide pytest set-up.

Makes nbval compare each re-executed output with the committed one by the rules of
:mod:`course_utils.tooling.nbval_tolerance`: key results within their declared
tolerances, figures by their pixels, other printed numbers within one unit of the
last printed decimal place. Every other part of an output must still match exactly.
The report header names the CPU and the kernel set (ATen, MKL, oneDNN) the run used.
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
        problems = []
        name = f"{self.fspath.purebasename}-cell{self.cell_num}"
        same = original(self, align_within_tolerance(test, ref, problems, name), ref, skip_compare)
        # nbval only says "Unexpected output fields: {'stderr'}": name what was written.
        problems += [f"the cell wrote to stderr: {out.get('text', '')[:2000]!r}" for out in test
                     if out.get("output_type") == "stream" and out.get("name") == "stderr"
                     and not any(r.get("output_type") == "stream" and r.get("name") == "stderr" for r in ref)]
        if problems:
            self.comparison_traceback = [*problems, *(getattr(self, "comparison_traceback", None) or [])]
            return False
        return same

    compare_outputs._course_tolerant = True
    IPyNbCell.compare_outputs = compare_outputs


_install_tolerant_nbval()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """nbval's cells execute a notebook: give them the ``notebooks`` marker, so ``-m "not notebooks"`` skips them."""
    for item in items:
        if type(item).__name__ == "IPyNbCell" or str(item.fspath).endswith(".ipynb"):
            item.add_marker(pytest.mark.notebooks)


def pytest_report_header(config: pytest.Config) -> list[str]:
    from course_utils.tooling.doctor import kernel_set

    return ["nbval: key results within their declared tolerances, figures within RMS "
            "(course_utils.tooling.nbval_tolerance), other printed decimals ±1 in the last place",
            f"kernels: {kernel_set()}"]
