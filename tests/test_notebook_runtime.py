"""Runs chapter 5.4's notebook from top to bottom and reports how long it took.

The runtime is printed (through ``capsys.disabled()`` so it shows without
``-s``), never asserted: it depends on the machine. What is asserted is that
every cell ran without an error and that nothing was written to stderr.
"""

import time
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_4_how_visual_models_learn.ipynb"


@pytest.mark.notebooks
def test_chapter_5_4_notebook_runs_offline_without_errors(monkeypatch, capsys, record_property):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    record_property("runtime_seconds", round(seconds, 1))
    with capsys.disabled():
        print(f"\n[runtime] {NOTEBOOK.name} executed in {seconds:.1f} s")

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), "a code cell was not executed"
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{errors[0].ename}: {errors[0].evalue}" if errors else ""
    stderr = [o.text for c in code_cells for o in c.outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not stderr, f"the notebook wrote to stderr: {stderr[0][:300]}"
