"""Key results: the few numbers each chapter reproduces, next to the book's.

A notebook ends with :func:`show_key_results`. It prints a small table for the
learner and attaches the same rows as output metadata, which ``make course``
(:mod:`course_utils.tooling.runner`) reads back to print one table for the course.
nbval does not compare output metadata, and compares the printed table with
the course's numeric tolerance.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

METADATA_KEY = "course_key_results"


@dataclass(frozen=True)
class KeyResult:
    """One reproduced number: what it is, this run's value, the book's, and the model used."""

    label: str
    value: float
    book: float | None = None
    model: str = ""
    decimals: int = 3

    def formatted(self) -> tuple[str, str, str]:
        fmt = f"{{:.{self.decimals}f}}"
        book = "—" if self.book is None else fmt.format(self.book)
        return self.label, fmt.format(self.value), book


def format_table(results: list[KeyResult], headers: tuple[str, str, str] = ("result", "this run", "book")) -> str:
    """Plain-text table of results, one per line, columns aligned."""
    rows = [headers] + [r.formatted() for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class _Table:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def show_key_results(chapter: str, results: list[KeyResult]) -> None:
    """Display the chapter's key results as a table, with machine-readable metadata.

    Parameters
    ----------
    chapter : str
        The chapter id from ``book.yml`` (``"5.1"``).
    results : list of KeyResult
    """
    from IPython.display import display

    models = sorted({r.model for r in results if r.model})
    text = f"Key results of chapter {chapter}" + (f" (model: {', '.join(models)})" if models else "")
    text += "\n" + format_table(results)
    display(_Table(text), metadata={METADATA_KEY: {"chapter": chapter, "rows": [asdict(r) for r in results]}})
