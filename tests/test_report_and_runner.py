"""Key results travel from a notebook's outputs to the course summary; problems are caught."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_utils.key_results import METADATA_KEY, KeyResult, format_table
from course_utils.tooling.runner import key_results, notebook_problems


def test_format_table_aligns_and_shows_the_book_value():
    text = format_table([KeyResult("red ↔ orange", 0.8451, book=0.898), KeyResult("hits", 8, decimals=0)])
    lines = text.splitlines()
    assert lines[0].split() == ["result", "this", "run", "book"]
    assert "0.845" in lines[2] and "0.898" in lines[2]
    assert lines[3].split()[-2:] == ["8", "—"]


def _nb_with(outputs):
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = outputs
    nb.cells = [cell]
    return nb


def test_key_results_are_read_from_output_metadata():
    rows = [{"label": "a", "value": 0.5, "book": 0.6, "model": "m", "decimals": 3}]
    nb = _nb_with([new_output("display_data", data={"text/plain": "table"},
                              metadata={METADATA_KEY: {"chapter": "5.1", "rows": rows}})])
    assert key_results(nb) == [KeyResult("a", 0.5, 0.6, "m", 3)]


def test_stderr_and_errors_are_problems():
    nb = _nb_with([new_output("stream", name="stderr", text="UserWarning: careful\n"),
                   new_output("error", ename="ValueError", evalue="bad", traceback=[])])
    problems = notebook_problems(nb)
    assert "stderr: UserWarning: careful" in problems[0]
    assert "raised ValueError: bad" in problems[1]


def test_clean_notebook_has_no_problems():
    assert notebook_problems(_nb_with([new_output("stream", name="stdout", text="hi\n")])) == []


def _write_notebook(path, sources):
    nb = new_notebook()
    nb.cells = [new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_execute_chapter_collects_results_and_catches_stderr(tmp_path):
    from course_utils.tooling.book_config import Chapter
    from course_utils.tooling.runner import execute_chapter

    good, noisy = tmp_path / "good.ipynb", tmp_path / "noisy.ipynb"
    _write_notebook(good, [
        "from course_utils.key_results import KeyResult, show_key_results",
        "show_key_results('9.1', [KeyResult('answer', 0.4201, book=0.42, model='m')])",
    ])
    _write_notebook(noisy, ["import sys; print('oops', file=sys.stderr)"])
    build = tmp_path / "_build"
    run = execute_chapter(Chapter("9.1", "Good", good), build)
    assert run.problems == []
    assert run.results == [KeyResult("answer", 0.4201, 0.42, "m", 3)]
    assert (build / "good.ipynb").is_file()
    run = execute_chapter(Chapter("9.2", "Noisy", noisy), build)
    assert any("stderr: oops" in p for p in run.problems)
