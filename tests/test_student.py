"""Student copies hide the solutions, keep the lesson and stop at the first exercise; every solution
passes its check; ``course student`` writes all copies or none, never over a learner's edits nor over
the chapter notebooks.

Only one test executes a notebook (marked ``notebooks``): the 5.2 student copy, up to its first
exercise. Everything else reads the committed notebooks. Together they cover what executing every
student copy would: the cells before the first stub are the lesson's cells unchanged (checked here),
which nbval executes; each stub raises its exercise's NotImplementedError (checked here, by running
the stub's code).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils.errors import ChangedCopiesError, OutputFolderError, StudentCopyError
from course_utils.exercises import PASSED_PREFIX
from course_utils.tooling import student as student_module
from course_utils.tooling.book_config import chapters, repo_root
from course_utils.tooling.cli import main
from course_utils.tooling.student import (
    EXERCISE_TAG,
    MANIFEST_NAME,
    SOLUTION_TAG,
    STUB_MARKER,
    make_student_copy,
    write_student_copies,
)

CHAPTERS = chapters()
REPO_ROOT = repo_root()
#: The one student copy executed in a kernel (a short chapter that no other test executes).
EXECUTED_CHAPTER = "5.2"


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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([MANIFEST_NAME, *(p.name for p in written)]), \
        "no temporary folder left"


def test_course_student_writes_into_the_out_folder_and_lists_the_copies(capsys, tmp_path):
    out = tmp_path / "handout"
    assert main(["student", "--out", str(out)]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(out / c.notebook.name) for c in CHAPTERS]
    assert all((out / c.notebook.name).is_file() for c in CHAPTERS)


def test_course_student_defaults_to_build_student_of_the_checkout(capsys, monkeypatch, tmp_path):
    _tiny_book(tmp_path, n_chapters=2)
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    assert main(["student"]) == 0
    assert capsys.readouterr().out.split() == ["_build/student/ch1.ipynb", "_build/student/ch2.ipynb"]
    assert sorted(p.name for p in (tmp_path / "_build" / "student").iterdir()) == [MANIFEST_NAME, "ch1.ipynb",
                                                                                    "ch2.ipynb"]


def _tiny_book(root, n_chapters=4, broken=None):
    """A book.yml with ``n_chapters`` toy chapters; chapter number ``broken`` has a solution tag on markdown."""
    (root / "notebooks").mkdir(parents=True)
    entries = []
    for i in range(1, n_chapters + 1):
        nb = _toy_notebook()
        if i == broken:
            nb.cells.append(new_markdown_cell("an answer", metadata={"tags": [SOLUTION_TAG]}))
        nbformat.write(nb, root / "notebooks" / f"ch{i}.ipynb")
        entries.append({"id": f"9.{i}", "title": f"Toy {i}", "notebook": f"notebooks/ch{i}.ipynb"})
    (root / "book.yml").write_text(yaml.safe_dump({"chapters": entries}), encoding="utf-8")
    return root / "book.yml"


def test_a_failing_copy_leaves_no_partial_set(tmp_path):
    book = _tiny_book(tmp_path / "course", broken=4)
    out = tmp_path / "student"
    out.mkdir()
    (out / "ch1.ipynb").write_text("an older copy", encoding="utf-8")
    with pytest.raises(StudentCopyError, match=r"chapter 9.4 \(ch4.ipynb\): cell 7 is tagged 'solution' but is a "
                                               r"markdown cell.*no student copies were written"):
        write_student_copies(out, book_yml=book)
    assert sorted(p.name for p in out.iterdir()) == ["ch1.ipynb"], "3 of 4 copies written, or a temp folder left"
    assert (out / "ch1.ipynb").read_text(encoding="utf-8") == "an older copy"


def test_a_failing_copy_is_one_line_from_the_course_command(tmp_path, monkeypatch, capsys):
    _tiny_book(tmp_path / "course", broken=2)
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path / "course"))
    assert main(["student", "--out", str(tmp_path / "student")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("course student: chapter 9.2 (ch2.ipynb): cell 7")
    assert not list((tmp_path / "student").iterdir())


def test_an_out_path_that_is_a_file_is_one_sentence(tmp_path, capsys):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder", encoding="utf-8")
    expected = f"cannot write student copies into {blocker}: {blocker} is a file, not a folder; .*--out DIR"
    with pytest.raises(OutputFolderError, match=expected):
        write_student_copies(blocker)
    assert main(["student", "--out", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{blocker} is a file, not a folder" in err and "Traceback" not in err


def test_an_unwritable_out_folder_is_one_sentence(tmp_path, monkeypatch, capsys):
    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", kwargs.get("dir"))

    monkeypatch.setattr(student_module.tempfile, "mkdtemp", refused)
    assert main(["student", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == f"course student: cannot write student copies into {tmp_path}: Permission denied; choose a " \
                  "folder you can write to with course student --out DIR\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_read_only_out_folder_is_one_sentence(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        with pytest.raises(OutputFolderError, match="Permission denied"):
            write_student_copies(locked)
    finally:
        locked.chmod(0o755)


def _answer_exercise_1(path):
    """Edit a student copy as a learner would: write an answer into the first stub."""
    nb = nbformat.read(path, as_version=4)
    next(c for c in nb.cells if SOLUTION_TAG in _tags(c)).source = "y = 2 * x  # my answer"
    nbformat.write(nb, path)
    return path.read_bytes()


@pytest.mark.parametrize("out_args", [[], ["--out", "handout"]], ids=["default folder", "--out"])
def test_rerunning_course_student_keeps_a_learners_edits_unless_forced(out_args, tmp_path, monkeypatch, capsys):
    _tiny_book(tmp_path, n_chapters=2)
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    shown = out_args[1] if out_args else str(tmp_path.resolve() / "_build" / "student")
    out = tmp_path / shown
    assert main(["student", *out_args]) == 0
    assert main(["student", *out_args]) == 0, "copies left as course student wrote them may be written again"
    edited = _answer_exercise_1(out / "ch2.ipynb")
    capsys.readouterr()
    assert main(["student", *out_args]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == (
        f"course student: {shown} already holds ch2.ipynb, which differ from what course "
        "student wrote there (edited since, or not written by it); move them away, choose another folder with "
        "course student --out DIR, or pass --force to overwrite them\n")
    assert (out / "ch2.ipynb").read_bytes() == edited, "the learner's answer was overwritten"
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "ch1.ipynb", "ch2.ipynb"], "temp folder left"
    assert main(["student", *out_args, "--force"]) == 0
    assert STUB_MARKER.format(number=1) in (out / "ch2.ipynb").read_text(encoding="utf-8"), "--force: a fresh copy"
    assert main(["student", *out_args]) == 0, "after --force the fresh copies are course student's own again"


def test_a_file_course_student_did_not_write_is_not_overwritten(tmp_path):
    book = _tiny_book(tmp_path / "course", n_chapters=2)
    out = tmp_path / "handout"
    out.mkdir()
    (out / "ch1.ipynb").write_text("a learner's own notebook", encoding="utf-8")
    with pytest.raises(ChangedCopiesError, match=r"handout already holds ch1.ipynb, which differ"):
        write_student_copies(out, book_yml=book)
    assert sorted(p.name for p in out.iterdir()) == ["ch1.ipynb"], "no copy, manifest or temp folder written"
    assert (out / "ch1.ipynb").read_text(encoding="utf-8") == "a learner's own notebook"
    assert [p.name for p in write_student_copies(out, book_yml=book, force=True)] == ["ch1.ipynb", "ch2.ipynb"]


def test_keep_edited_writes_what_is_missing_and_keeps_a_learners_work(tmp_path, monkeypatch, capsys):
    """make lab's preparation: a missing copy is written, an unedited one follows the chapter, an edited one stays."""
    _tiny_book(tmp_path, n_chapters=3)
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    out = tmp_path / "_build" / "student"
    assert main(["student", "--keep-edited"]) == 0, "no copies yet: all are written"
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, "ch1.ipynb", "ch2.ipynb", "ch3.ipynb"]
    edited = _answer_exercise_1(out / "ch2.ipynb")
    (out / "ch3.ipynb").unlink()
    chapter = tmp_path / "notebooks" / "ch1.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    nb.cells[0].source = "# A better lesson"
    nbformat.write(nb, chapter)
    capsys.readouterr()
    for run in (1, 2):  # the second run must still know ch2 as the learner's
        assert main(["student", "--keep-edited"]) == 0, f"run {run}"
        assert (out / "ch2.ipynb").read_bytes() == edited, f"run {run}: the learner's answer was overwritten"
        assert capsys.readouterr().out.splitlines() == [
            "_build/student/ch1.ipynb", "_build/student/ch3.ipynb",
            "_build/student/ch2.ipynb: kept as you left it (it differs from what course student wrote there)"]
    assert nbformat.read(out / "ch1.ipynb", as_version=4).cells[0].source == "# A better lesson"
    assert STUB_MARKER.format(number=1) in (out / "ch3.ipynb").read_text(encoding="utf-8")
    assert main(["student"]) == 2, "without --keep-edited the edited copy is still refused"
    with pytest.raises(SystemExit):
        main(["student", "--keep-edited", "--force"])


def test_a_stub_is_shown_though_its_worked_solution_is_collapsed():
    nb = _toy_notebook()
    nb.cells[3].metadata["jupyter"] = {"source_hidden": True}
    nb.cells[5].metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    nb.cells[1].metadata["jupyter"] = {"source_hidden": True}
    student = make_student_copy(nb)
    assert "jupyter" not in student.cells[3].metadata
    assert student.cells[5].metadata["jupyter"] == {"outputs_hidden": True}
    assert student.cells[1] == nb.cells[1], "a lesson cell keeps its metadata"
    assert nb.cells[3].metadata["jupyter"] == {"source_hidden": True}, "the input notebook must not change"


def test_make_lab_prepares_the_student_copies_and_opens_them():
    venv = Path(sys.prefix)
    lines = subprocess.run(["make", "-n", "--no-print-directory", "lab", f"PYTHON={sys.executable}",
                            f"VENV={venv}"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    recipe = [line for line in lines.splitlines() if line.startswith(f"{venv}/bin/") and "pip install" not in line]
    assert recipe[-2:] == [f"{venv}/bin/course student --keep-edited", f"{venv}/bin/jupyter lab _build/student/"]


def test_make_clean_keeps_the_learners_copies(tmp_path):
    shutil.copy(REPO_ROOT / "Makefile", tmp_path)
    (tmp_path / "_build" / "student").mkdir(parents=True)
    (tmp_path / "_build" / "student" / "ch1.ipynb").write_text("my answers", encoding="utf-8")
    (tmp_path / "_build" / "html").mkdir()
    (tmp_path / "_build" / "notebooks.log").write_text("old", encoding="utf-8")
    subprocess.run(["make", "--no-print-directory", "clean", f"PYTHON={sys.executable}"], cwd=tmp_path,
                   capture_output=True, check=True)
    assert [p.relative_to(tmp_path).as_posix() for p in sorted((tmp_path / "_build").rglob("*"))] == [
        "_build/student", "_build/student/ch1.ipynb"]


def test_an_unedited_copy_is_updated_when_the_chapter_changes(tmp_path):
    book = _tiny_book(tmp_path / "course", n_chapters=2)
    out = tmp_path / "handout"
    write_student_copies(out, book_yml=book)
    chapter = tmp_path / "course" / "notebooks" / "ch1.ipynb"
    nb = nbformat.read(chapter, as_version=4)
    nb.cells[0].source = "# A better lesson"
    nbformat.write(nb, chapter)
    write_student_copies(out, book_yml=book)
    assert nbformat.read(out / "ch1.ipynb", as_version=4).cells[0].source == "# A better lesson"


@pytest.mark.parametrize("where, out_arg", [
    ("course", "notebooks"),
    ("course", "notebooks/../notebooks"),
    ("course", "linked"),
    ("course/notebooks", "."),
    ("elsewhere", "../course/notebooks"),
], ids=["relative", "dot-dot", "symlink", "dot from notebooks", "from another folder"])
def test_course_student_never_writes_over_the_chapter_notebooks(where, out_arg, tmp_path, monkeypatch, capsys):
    _tiny_book(tmp_path / "course", n_chapters=2)
    notebooks = tmp_path / "course" / "notebooks"
    (tmp_path / "course" / "linked").symlink_to(notebooks, target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    originals = {p.name: p.read_bytes() for p in notebooks.iterdir()}
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path / "course"))
    monkeypatch.chdir(tmp_path / where)
    expected = (f"course student: {out_arg} holds the course's own chapter notebooks (ch1.ipynb, ch2.ipynb), whose "
                "worked solutions the student copies would replace; choose another folder with "
                "course student --out DIR\n")
    assert main(["student", "--out", out_arg]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == expected
    assert {p.name: p.read_bytes() for p in notebooks.iterdir()} == originals, "the worked solutions were lost"
    assert main(["student", "--out", out_arg, "--force"]) == 2, "--force does not cover the chapter notebooks"
    assert capsys.readouterr().err == expected
    assert {p.name: p.read_bytes() for p in notebooks.iterdir()} == originals


@pytest.mark.parametrize("where", ["course", "course/notebooks"])
def test_course_student_refuses_an_empty_out_path(where, tmp_path, monkeypatch, capsys):
    _tiny_book(tmp_path / "course", n_chapters=2)
    notebooks = tmp_path / "course" / "notebooks"
    originals = {p.name: p.read_bytes() for p in notebooks.iterdir()}
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path / "course"))
    monkeypatch.chdir(tmp_path / where)
    assert main(["student", "--out", ""]) == 2
    assert capsys.readouterr().err == (
        "course student: the output folder is an empty path (''); name a folder with course student --out DIR, "
        "or leave --out out to write into _build/student/\n")
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == ["book.yml", "notebooks"]
    assert {p.name: p.read_bytes() for p in notebooks.iterdir()} == originals


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_every_solution_is_followed_by_its_check_and_passes_it(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    cells = nb.cells
    solutions = [i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c)]
    if not solutions:
        pytest.skip(f"chapter {chapter.id} has no exercises yet")
    assert 2 <= len(solutions) <= 4, f"chapter {chapter.id} should have 2-4 exercises, has {len(solutions)}"
    results = [i for i, c in enumerate(cells) if c.cell_type == "code" and "show_key_results" in c.source]
    assert results and results[-1] > solutions[-1] + 1, "the exercises come before the chapter's key results"
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
def test_every_stub_raises_its_exercise_and_hint(chapter):
    full = nbformat.read(chapter.notebook, as_version=4)
    student = make_student_copy(full)
    stubs = [(i, c) for i, c in enumerate(student.cells) if SOLUTION_TAG in _tags(c)]
    for number, (i, stub) in enumerate(stubs, start=1):
        with pytest.raises(NotImplementedError, match=f"^Exercise {number}: .+"):
            exec(compile(stub.source, f"<cell {i}>", "exec"), {})


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_lesson_cells_before_the_first_stub_are_the_lessons_own(chapter):
    full = nbformat.read(chapter.notebook, as_version=4)
    student = make_student_copy(full)
    stubs = [i for i, c in enumerate(student.cells) if SOLUTION_TAG in _tags(c)]
    first = stubs[0] if stubs else len(student.cells)
    for i in range(first):
        if EXERCISE_TAG not in _tags(full.cells[i]):
            assert student.cells[i] == full.cells[i], f"cell {i} before the first exercise must be the lesson's own"


@pytest.mark.notebooks
def test_student_copy_runs_up_to_the_first_exercise():
    chapter = next(c for c in CHAPTERS if c.id == EXECUTED_CHAPTER)
    student = make_student_copy(nbformat.read(chapter.notebook, as_version=4))
    stubs = [i for i, c in enumerate(student.cells) if SOLUTION_TAG in _tags(c)]
    assert stubs, f"chapter {chapter.id} should have exercises"
    client = NotebookClient(student, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    with pytest.raises(CellExecutionError) as raised:
        client.execute(env={**os.environ, "COURSE_OFFLINE": "1", "PYTHONHASHSEED": "0"})
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


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_worked_solutions_are_collapsed_in_jupyterlab(chapter):
    """make lab-solutions: an instructor sees each answer collapsed above its check until they open it."""
    cells = nbformat.read(chapter.notebook, as_version=4).cells
    shown = [i for i, c in enumerate(cells) if SOLUTION_TAG in _tags(c)
             and c.metadata.get("jupyter", {}).get("source_hidden") is not True]
    assert not shown, f"solution cells {shown} are open in JupyterLab: set metadata.jupyter.source_hidden = true"
