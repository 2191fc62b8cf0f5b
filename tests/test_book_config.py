"""book.yml drives the course: every notebook is a chapter, and every chapter notebook is clean."""

from pathlib import Path

import nbformat
import pytest

from course_utils.tooling.book_config import REPO_ROOT, chapters, load_book
from course_utils.tooling.runner import key_results, notebook_problems

CHAPTERS = chapters()


def test_every_notebook_in_the_folder_is_a_chapter():
    listed = {c.notebook for c in CHAPTERS}
    on_disk = {p.resolve() for p in (REPO_ROOT / "notebooks").glob("*.ipynb")}
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


def test_missing_book_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="book.yml not found"):
        load_book(tmp_path / "book.yml")


def test_chapter_without_notebook_is_rejected(tmp_path):
    path = tmp_path / "book.yml"
    path.write_text("chapters:\n  - id: '9.9'\n    title: Nothing\n")
    with pytest.raises(ValueError, match="chapter 0 .* missing notebook"):
        load_book(path)
