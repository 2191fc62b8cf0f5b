"""Runs chapter 5.4's notebook from top to bottom and reports how long it took.

The notebook is executed the way ``make course`` does it
(:func:`course_utils.tooling.runner.execute_chapter`). The runtime is printed (through
``capsys.disabled()`` so it shows without ``-s``), never asserted: it depends
on the machine. What is asserted is that every cell ran, none raised and
nothing was written to stderr.
"""

import nbformat
import pytest

from course_utils.tooling.book_config import chapters
from course_utils.tooling.runner import execute_chapter


@pytest.mark.notebooks
def test_chapter_5_4_notebook_runs_offline_without_errors(tmp_path, monkeypatch, capsys, record_property):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    chapter = next(c for c in chapters() if c.id == "5.4")

    run = execute_chapter(chapter, tmp_path)
    record_property("runtime_seconds", round(run.seconds, 1))
    with capsys.disabled():
        print(f"\n[runtime] {chapter.notebook.name} executed in {run.seconds:.1f} s")

    assert run.problems == []
    code_cells = [c for c in nbformat.read(run.output, as_version=4).cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), "a code cell was not executed"
