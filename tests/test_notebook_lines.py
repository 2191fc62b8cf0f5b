"""Notebook code fits the HTML book's column: no code line is longer than 88 characters.

The book shows a code cell in a column about 88 characters wide and cuts longer lines at its edge,
so a reader would scroll sideways inside the block (the browser test measures that on the built
book). Format with ``ruff format --line-length 88 notebooks/`` and wrap long comments and strings.
"""

import nbformat
import pytest

from course_utils.tooling.book_config import chapters

LIMIT = 88


@pytest.mark.parametrize("chapter", chapters(), ids=lambda c: c.id)
def test_code_lines_fit_the_books_column(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    long = [f"cell {cell.get('id')}: {len(line)} characters: {line.strip()[:70]}"
            for cell in nb.cells if cell.cell_type == "code"
            for line in cell.source.splitlines() if len(line) > LIMIT]
    assert not long, f"{chapter.notebook.name}: code lines over {LIMIT} characters:\n" + "\n".join(long)
