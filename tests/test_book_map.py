"""The map from the book chapter to the notebook cells that reproduce it (``book_map`` in book.yml)."""

from __future__ import annotations

import re
from dataclasses import replace

import nbformat
import pytest

from course_utils.tooling.book_config import chapters, repo_root
from course_utils.tooling.book_map import BOOK_ELEMENTS, map_problems

BOOK_TEXT = repo_root().parent / "shared" / "book" / "000_686f3aa68dd59403.txt"


def test_every_element_of_the_book_has_a_cell_that_exists():
    problems = map_problems(chapters())
    assert not problems, "the book map is incomplete:\n" + "\n".join(problems)


def test_removing_a_mapped_cell_breaks_the_map(tmp_path):
    chapter = next(c for c in chapters() if "Figure 5.2" in c.book_map)
    cell_id = chapter.book_map["Figure 5.2"][0]
    nb = nbformat.read(chapter.notebook, as_version=4)
    nb.cells = [cell for cell in nb.cells if cell.get("id") != cell_id]
    copy = tmp_path / chapter.notebook.name
    nbformat.write(nb, copy)
    broken = [replace(c, notebook=copy) if c.id == chapter.id else c for c in chapters()]
    assert any(cell_id in p and "Figure 5.2" in p for p in map_problems(broken))


def test_an_element_without_a_cell_is_reported():
    emptied = [replace(c, book_map={k: () for k in c.book_map}) for c in chapters()]
    problems = map_problems(emptied)
    assert any("'Figure 5.1'" in p and "lists no cell" in p for p in problems)


def test_an_unmapped_element_is_reported():
    dropped = [replace(c, book_map={k: v for k, v in c.book_map.items() if k != "Section 5.7 Further Reading"})
               for c in chapters()]
    assert "'Section 5.7 Further Reading' has no cell in any chapter's book_map" in map_problems(dropped)


@pytest.mark.skipif(not BOOK_TEXT.is_file(), reason=f"the book's text is not at {BOOK_TEXT} (CI has it)")
def test_the_element_list_covers_every_figure_note_section_and_reference_of_the_book():
    text = BOOK_TEXT.read_text(encoding="utf-8")
    figures = {f"Figure {n}" for n in re.findall(r"^Figure\s(5\.\d):", text, flags=re.M)}
    notes = {f"Note: {t.strip()}" for t in re.findall(r"^Note(\S.*)$", text, flags=re.M)}
    uses = {f"When to use {m} embeddings" for m in re.findall(r"^When to use (\w+) embeddings:", text, flags=re.M)}
    sections = set(re.findall(r"^(5\.4\.\d|5\.[567]) ", text, flags=re.M))
    authors = set(re.findall(r"^\s+•\s+(\w+),\s\w\.,?\set\sal\.\s\((\d{4})\)", text, flags=re.M))
    listed = set(BOOK_ELEMENTS)
    assert figures == {e for e in listed if e.startswith("Figure")} and len(figures) == 6
    assert notes <= listed, notes - listed
    assert uses <= listed and len(uses) == 3
    for number in sections:
        assert any(e.startswith(f"Section {number} ") for e in listed), number
    for author, year in authors:
        assert f"Reference: {author} et al. {year}" in listed
    printed = set(re.findall(r"(?:↔|:)\s+(\d\.\d{3})", text))
    numbers = " ".join(e for e in listed if e.startswith("Number"))
    assert printed and all(value in numbers for value in printed), printed
