"""Student copies hide the solutions, keep the lesson, run up to the first exercise; every solution passes its check."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils.tooling.cli import main
from course_utils.tooling.book_config import REPO_ROOT, chapters
from course_utils.exercises import PASSED_PREFIX
from course_utils.tooling.student import (
    EXERCISE_TAG,
    SOLUTION_TAG,
    STUB_MARKER,
    make_student_copy,
    write_student_copies,
)

CHAPTERS = chapters()


def _tags(cell):
    return cell.metadata.get("tags", [])


def _text(cell):
    parts = []
    for out in cell.get("outputs", []):
        parts.append(out.get("text", "") if out.output_type == "stream" else out.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def _toy_notebook():
    ran = {"execution_count": 1, "outputs": [new_output("stream", name="stdout", text="42\n")]}
    return new_notebook(cells=[
        new_markdown_cell("# A lesson"),
        new_code_cell("x = 40 + 2\nprint(x)", **ran),
        new_markdown_cell("**Exercise 1.** Double x.", metadata={"tags": [EXERCISE_TAG]}),
        new_code_cell("# Set y to twice x.\ny = 2 * x", metadata={"tags": [SOLUTION_TAG]}, **ran),
        new_code_cell("print(y == 84)", metadata={"tags": [EXERCISE_TAG]}, **ran),
        new_code_cell("z = 1", metadata={"tags": [SOLUTION_TAG], "hint": "set z to one"}, execution_count=2),
        new_code_cell("print('summary')", **ran),
    ])


def test_solutions_become_numbered_stubs_with_their_hint():
    student = make_student_copy(_toy_notebook())
    first, second = student.cells[3], student.cells[5]
    assert first.source.startswith(STUB_MARKER.format(number=1))
    assert "raise NotImplementedError('Exercise 1: Set y to twice x.')" in first.source
    assert "raise NotImplementedError('Exercise 2: set z to one')" in second.source
    assert "2 * x" not in first.source


def test_exercise_outputs_are_cleared_and_everything_else_is_untouched():
    original = _toy_notebook()
    student = make_student_copy(original)
    for i in (3, 4, 5):
        assert student.cells[i].outputs == [] and student.cells[i].execution_count is None
    for i in (0, 1, 2, 6):
        assert student.cells[i] == original.cells[i]
    assert original.cells[3].source == "# Set y to twice x.\ny = 2 * x", "the input notebook must not change"


def test_a_solution_tag_on_markdown_is_a_clear_error():
    nb = new_notebook(cells=[new_markdown_cell("answer", metadata={"tags": [SOLUTION_TAG]})])
    with pytest.raises(ValueError, match="cell 0 is tagged 'solution' but is a markdown cell"):
        make_student_copy(nb)


def test_write_student_copies_writes_every_chapter(tmp_path):
    written = write_student_copies(tmp_path)
    assert [p.name for p in written] == [c.notebook.name for c in CHAPTERS]
    assert all(p.is_file() for p in written)


def test_course_student_command_lists_the_copies(capsys):
    assert main(["student"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [f"_build/student/{c.notebook.name}" for c in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_every_solution_is_followed_by_its_check_and_passes_it(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    cells = nb.cells
    solutions = [i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c)]
    if not solutions:
        pytest.skip(f"chapter {chapter.id} has no exercises yet")
    assert 2 <= len(solutions) <= 4, f"chapter {chapter.id} should have 2-4 exercises, has {len(solutions)}"
    assert "show_key_results" in cells[-1].source, "the key-results cell must stay last"
    for i in solutions:
        task = cells[i - 1] if cells[i - 1].cell_type == "markdown" else cells[i - 2]
        assert EXERCISE_TAG in _tags(task) and task.cell_type == "markdown", f"cell {i}: task markdown missing"
        check = cells[i + 1]
        assert check.cell_type == "code" and EXERCISE_TAG in _tags(check), f"cell {i + 1} should be the check"
        assert "check_" in check.source
        assert _text(check).startswith(PASSED_PREFIX), f"solution in cell {i} fails its check: {_text(check)}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_student_copy_hides_answers_and_keeps_the_lesson(chapter):
    full = nbformat.read(chapter.notebook, as_version=4)
    student = make_student_copy(full)
    assert len(student.cells) == len(full.cells)
    for i, (mine, theirs) in enumerate(zip(student.cells, full.cells)):
        tags = _tags(theirs)
        if SOLUTION_TAG in tags:
            assert "NotImplementedError" in mine.source and mine.source != theirs.source
        if theirs.cell_type == "code" and (SOLUTION_TAG in tags or EXERCISE_TAG in tags):
            assert mine.outputs == [] and mine.execution_count is None, f"cell {i} still shows its output"
        elif SOLUTION_TAG not in tags:
            assert mine == theirs, f"cell {i} is not an exercise cell and must not change"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_student_copy_runs_up_to_the_first_exercise(chapter, tmp_path):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    student = make_student_copy(nbformat.read(chapter.notebook, as_version=4))
    stubs = [i for i, c in enumerate(student.cells) if SOLUTION_TAG in _tags(c)]
    client = NotebookClient(student, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    if not stubs:
        client.execute()
        return
    with pytest.raises(CellExecutionError) as raised:
        client.execute()
    assert "NotImplementedError" in str(raised.value) and "Exercise 1:" in str(raised.value)
    first = stubs[0]
    errors = [i for i, c in enumerate(student.cells) if c.cell_type == "code"
              and any(o.output_type == "error" for o in c.get("outputs", []))]
    assert errors == [first], f"expected only the first stub (cell {first}) to raise, got cells {errors}"
    before = [c for c in student.cells[:first] if c.cell_type == "code" and c.source.strip()]
    assert all(c.execution_count is not None for c in before), "every cell before the first exercise must run"
    stderr = [i for i, c in enumerate(student.cells[:first]) if c.cell_type == "code"
              and any(o.output_type == "stream" and o.name == "stderr" for o in c.get("outputs", []))]
    assert not stderr, f"cells {stderr} wrote to stderr"
