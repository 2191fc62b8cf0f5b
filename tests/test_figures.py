"""Every committed figure is drawn for the page it lands on: at most ~8 inches wide at 100 dpi.

The HTML book's content column is about 700-800 px wide at a 1280-px window. A figure wider than
820 px is shrunk there and its labels become unreadable, so a committed figure wider than that fails.
"""

from __future__ import annotations

import base64
import struct

import nbformat
import pytest

from course_utils.tooling.book_config import chapters

#: The widest figure the book shows at (close to) its natural size.
MAX_FIGURE_WIDTH_PX = 820


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def test_png_size_reads_the_header():
    header = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", 640, 480)
    assert png_size(header) == (640, 480)


CHAPTERS = chapters()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.id for c in CHAPTERS])
def test_committed_figures_fit_the_book_column(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    too_wide = []
    figures = 0
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            png = output.get("data", {}).get("image/png")
            if png:
                figures += 1
                width, height = png_size(base64.b64decode(png))
                if width > MAX_FIGURE_WIDTH_PX:
                    too_wide.append(f"cell {index} (id {cell.get('id')}): {width} × {height} px")
    assert figures > 0, f"{chapter.notebook.name} has no figures"
    assert not too_wide, (f"{chapter.notebook.name}: figures wider than {MAX_FIGURE_WIDTH_PX} px "
                          "(use figsize width <= 8 at dpi 100, stack panels):\n" + "\n".join(too_wide))
