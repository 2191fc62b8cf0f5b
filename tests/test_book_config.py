"""book.yml drives the course: every notebook is a chapter, every chapter notebook is clean,
and a malformed book.yml is one clear sentence, never a traceback."""

import json
import shutil
from importlib.metadata import entry_points
from pathlib import Path

import nbformat
import pytest
import yaml

from course_utils.errors import BookConfigError, CourseFileMissingError, UnknownChapterError
from course_utils.tooling.book_config import chapters, load_book, repo_root, select_chapters
from course_utils.tooling.cli import main
from course_utils.tooling.runner import key_results, notebook_problems

ROOT = repo_root()
CHAPTERS = chapters()


def test_every_notebook_in_the_folder_is_a_chapter():
    listed = {c.notebook for c in CHAPTERS}
    on_disk = {p.resolve() for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert on_disk - listed == set(), "add these notebooks to book.yml so nbval checks them"


def test_chapters_have_titles_objectives_and_existing_notebooks():
    for c in CHAPTERS:
        assert c.notebook.is_file(), f"{c.id}: {c.notebook} missing"
        assert c.title and len(c.objectives) >= 2 and c.run_time_minutes > 0


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_committed_notebook_is_fully_executed_and_clean(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    unrun = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip() and c.execution_count is None]
    assert not unrun, f"cells {unrun} were saved without being run: nbval would compare nothing there"
    assert code, "a chapter notebook must have code"
    assert notebook_problems(nb) == []
    assert nb.metadata.kernelspec.name == "python3"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_committed_notebook_publishes_key_results(chapter):
    assert key_results(nbformat.read(chapter.notebook, as_version=4)), "end the notebook with show_key_results"


# ------------------------------------------------------------------ finding the checkout

def _tiny_checkout(root: Path, ids=("1.1", "1.2")) -> Path:
    """A folder with a book.yml and one empty notebook per chapter; returns the book.yml."""
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    entries = []
    for i, chapter_id in enumerate(ids):
        name = f"notebooks/ch{i}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(), root / name)
        entries.append({"id": chapter_id, "title": f"Chapter {chapter_id}", "notebook": name})
    path = root / "book.yml"
    path.write_text(yaml.safe_dump({"title": "Tiny", "chapters": entries}, sort_keys=False), encoding="utf-8")
    return path


def test_repo_root_is_found_from_a_subfolder_of_the_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_ROOT", raising=False)
    _tiny_checkout(tmp_path)
    deep = tmp_path / "notebooks" / "scratch"
    deep.mkdir()
    monkeypatch.chdir(deep)
    assert repo_root() == tmp_path.resolve(), "repo_root() must look again at call time, from the current folder"


def test_course_root_names_the_checkout_from_anywhere(tmp_path, monkeypatch, capsys):
    _tiny_checkout(tmp_path / "course")
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path / "course"))
    monkeypatch.chdir(tmp_path)
    assert main(["notebooks"]) == 0
    assert capsys.readouterr().out.split() == ["notebooks/ch0.ipynb", "notebooks/ch1.ipynb"]


def test_course_root_without_book_yml_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    assert main(["notebooks"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "COURSE_ROOT" in captured.err and "no book.yml" in captured.err
    with pytest.raises(FileNotFoundError):
        repo_root()


def test_outside_any_checkout_the_installed_checkout_is_used(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert repo_root() == ROOT, "the editable install's checkout is the last place looked"


def test_course_command_works_from_a_subfolder_of_the_checkout(monkeypatch, capsys):
    monkeypatch.delenv("COURSE_ROOT", raising=False)
    monkeypatch.chdir(ROOT / "notebooks")
    assert main(["notebooks"]) == 0
    assert capsys.readouterr().out.split() == [str(c.notebook.relative_to(ROOT)) for c in CHAPTERS]


def test_the_installed_course_command_is_this_cli():
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "course"]
    assert script.load() is main


# ------------------------------------------------------------------ malformed book.yml

def test_missing_book_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="book.yml not found"):
        load_book(tmp_path / "book.yml")


def _book(tmp_path: Path, text: str) -> Path:
    (tmp_path / "notebooks").mkdir(exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notebooks" / "good.ipynb")
    (tmp_path / "notebooks" / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (tmp_path / "notebooks" / "data.ipynb").write_text(json.dumps({"rows": [1, 2]}), encoding="utf-8")
    (tmp_path / "outside.ipynb").write_text("{}", encoding="utf-8")
    root = tmp_path / "course"
    root.mkdir(exist_ok=True)
    for name in ("good", "broken", "data"):
        shutil.copy(tmp_path / "notebooks" / f"{name}.ipynb", root / f"{name}.ipynb")
    path = root / "book.yml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = "  - id: '1.1'\n    title: Good\n    notebook: good.ipynb\n"

# (book.yml text, words the one-sentence error must contain: the entry and what to fix)
MALFORMED = {
    "bad YAML": ("chapters:\n  - id: '1.1'\n   title: Bad indent\n", ["not valid YAML", "line 3", "indented"]),
    "a list at top level": ("- id: '1.1'\n  title: A\n  notebook: good.ipynb\n",
                            ["mapping at the top level", "a list", "'chapters:'"]),
    "a bare number as an entry": ("chapters:\n" + GOOD + "  - 5\n",
                                  ["chapter entry 2", "5 (int)", "'- id:"]),
    "notebook: null": ("chapters:\n  - id: '1.1'\n    title: A\n    notebook: null\n",
                       ["chapter entry 1 (id '1.1')", "notebook must be a path", "null"]),
    "run_time_minutes: two": ("chapters:\n" + GOOD + "    run_time_minutes: two\n",
                              ["chapter entry 1 (id '1.1')", "run_time_minutes", "'two'", "e.g. run_time_minutes: 2"]),
    "a notebook outside the checkout": ("chapters:\n  - id: '1.1'\n    title: A\n    notebook: ../outside.ipynb\n",
                                        ["chapter entry 1", "outside the course folder", "inside the checkout"]),
    "a notebook that is not JSON": ("chapters:\n  - id: '1.1'\n    title: A\n    notebook: broken.ipynb\n",
                                    ["chapter entry 1", "broken.ipynb", "not a Jupyter notebook", "invalid JSON"]),
    "JSON that is not a notebook": ("chapters:\n  - id: '1.1'\n    title: A\n    notebook: data.ipynb\n",
                                    ["data.ipynb", "not a Jupyter notebook", "cells"]),
    "a file that is not a notebook": ("chapters:\n  - id: '1.1'\n    title: A\n    notebook: book.yml\n",
                                      ["chapter entry 1", "not an .ipynb file"]),
    "an id YAML reads as a number": ("chapters:\n  - id: 5.10\n    title: A\n    notebook: good.ipynb\n",
                                     ["read as a number", "quote it"]),
    "the same id twice": ("chapters:\n" + GOOD + GOOD, ["chapter entry 2", "already used"]),
    "objectives as one string": ("chapters:\n" + GOOD + "    objectives: learn things\n",
                                 ["objectives must be a list"]),
    "book_map as a list": ("chapters:\n" + GOOD + "    book_map: [Figure 5.1]\n", ["book_map must be a mapping"]),
    "book_map cells as numbers": ("chapters:\n" + GOOD + "    book_map:\n      Figure 5.1: [1, 2]\n",
                                  ["book_map entry 'Figure 5.1' must list cell ids as text"]),
    "chapters as a mapping": ("chapters:\n  first: good.ipynb\n", ["'chapters' must be a list"]),
    "no chapters": ("title: Empty\n", ["lists no chapters"]),
    "missing notebook key": ("chapters:\n  - id: '9.9'\n    title: Nothing\n", ["chapter entry 1 (id '9.9')",
                                                                               "missing notebook"]),
}


@pytest.mark.parametrize("case", MALFORMED, ids=list(MALFORMED))
def test_malformed_book_yml_is_one_clear_value_error(case, tmp_path):
    text, words = MALFORMED[case]
    path = _book(tmp_path, text)
    with pytest.raises(ValueError) as raised:
        load_book(path)
    message = str(raised.value)
    assert isinstance(raised.value, BookConfigError)
    assert str(path) in message, "the message must name the file"
    assert "\n" not in message
    for word in words:
        assert word in message, f"{word!r} missing from: {message}"
    err = raised.value
    assert err.__cause__ is None and (err.__context__ is None or err.__suppress_context__), "no chained traceback"


@pytest.mark.parametrize("case", ["bad YAML", "a bare number as an entry", "run_time_minutes: two",
                                  "a notebook that is not JSON"])
def test_course_command_prints_a_malformed_book_as_one_line_and_exits_2(case, tmp_path, monkeypatch, capsys):
    path = _book(tmp_path, MALFORMED[case][0])
    monkeypatch.setenv("COURSE_ROOT", str(path.parent))
    for command in (["notebooks"], ["run"], ["student", "--out", str(tmp_path / "student")]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.count("\n") == 1, captured.err
        assert captured.err.startswith(f"course {command[0]}: {path}") and "Traceback" not in captured.err
    assert not (tmp_path / "student").exists() or not any((tmp_path / "student").iterdir())


def test_a_missing_notebook_is_named_with_its_entry(tmp_path):
    path = _book(tmp_path, "chapters:\n  - id: '1.1'\n    title: A\n    notebook: gone.ipynb\n")
    with pytest.raises(CourseFileMissingError, match=r"chapter entry 1 \(id '1.1'\): notebook .*gone.ipynb does not"):
        load_book(path)


def test_valid_entries_are_read_with_their_types(tmp_path):
    path = _book(tmp_path, "chapters:\n" + GOOD + "    run_time_minutes: 1.5\n    objectives: [a, b]\n"
                 "    book_map:\n      Figure 1: [cell-a, cell-b]\n      Note: cell-c\n"
                 "  - id: 2\n    title: Two\n    notebook: ./good.ipynb\n")
    first, second = chapters(path)
    assert (first.id, first.title, first.run_time_minutes, first.objectives) == ("1.1", "Good", 1.5, ("a", "b"))
    assert first.book_map == {"Figure 1": ("cell-a", "cell-b"), "Note": ("cell-c",)} and second.book_map == {}
    assert first.notebook == (path.parent / "good.ipynb").resolve()
    assert (second.id, second.run_time_minutes, second.objectives) == ("2", 0.0, ())


# ------------------------------------------------------------------ choosing chapters

def test_unknown_chapter_ids_list_the_valid_ones():
    with pytest.raises(UnknownChapterError) as raised:
        select_chapters(CHAPTERS, ["9.9"])
    message = str(raised.value)
    assert "'9.9'" in message and ", ".join(c.id for c in CHAPTERS) in message


def test_selected_chapters_keep_book_order_and_none_means_all():
    ids = [c.id for c in CHAPTERS]
    assert [c.id for c in select_chapters(CHAPTERS, [ids[-1], ids[0]])] == [ids[0], ids[-1]]
    assert select_chapters(CHAPTERS, None) == CHAPTERS
