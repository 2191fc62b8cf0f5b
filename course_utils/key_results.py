"""Key results: the numbers a chapter stands on, each with the tolerance it is checked to.

A :class:`KeyResult` carries the **tolerance** declared where it is made (how far a re-run on another machine
may move it); a trained or sampled number is made with :meth:`KeyResult.over_seeds`. :func:`show_results`
prints a table inside a lesson, :func:`show_key_results` a chapter's summary (which ``make course`` collects).
Both store the rows at full precision in the output's metadata, where
:mod:`course_utils.tooling.nbval_tolerance` compares a re-run with the committed notebook.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass
from typing import Sequence

import numpy as np

from course_utils.validation import check_array, check_scalar

METADATA_KEY = "course_key_results"


@dataclass(frozen=True)
class KeyResult:
    """One measured number, the tolerance it is checked to, and the book's figure.

    Parameters
    ----------
    label : str
        What was measured, with the size of the test set where it has one.
    value : float
        This run's value (the median, for a result over seeds).
    tolerance : float
        How far a re-run on another CPU may move ``value`` (and ``low``, ``high``).
    book : float, optional
        The book's printed figure, where it prints one.
    model, decimals : str, int
        The model that produced the number, and the decimals printed.
    low, high, runs : float, float, int
        The range over seeds and their number, for a result over seeds.
    """

    label: str
    value: float
    tolerance: float
    book: float | None = None
    model: str = ""
    decimals: int = 3
    low: float | None = None
    high: float | None = None
    runs: int = 1

    def __post_init__(self):
        for name in ("value", "tolerance", "low", "high", "book"):
            x = getattr(self, name)
            if x is not None or name in ("value", "tolerance"):
                x = check_scalar(x, f"the {name} of KeyResult {self.label!r}", numbers.Real,
                                 min_val=0 if name == "tolerance" else None)
                object.__setattr__(self, name, x)

    @classmethod
    def over_seeds(cls, label: str, values: Sequence[float], resolution: float, *, decimals: int = 2,
                   model: str = "", book: float | None = None) -> "KeyResult":
        """Summarise one measurement repeated over seeds: median, range and a tolerance derived from them.

        The tolerance is the range over the seeds, and at least two steps of ``resolution`` (the
        measurement's step: ``1/n`` for a recall over ``n`` items): another CPU perturbs training about
        as much as another seed does.

        Parameters
        ----------
        label : str
        values : sequence of float
            One value per seed (at least 2).
        resolution : float
            The smallest change the measurement can make.
        decimals, model, book
            As for :class:`KeyResult`.

        Examples
        --------
        >>> r = KeyResult.over_seeds("R@1 (72 captions)", [0.61, 0.65, 0.58, 0.62, 0.64], resolution=1 / 72)
        >>> r.value, r.low, r.high, round(r.tolerance, 2), r.runs
        (0.62, 0.58, 0.65, 0.07, 5)
        """
        v = check_array(values, f"the values of {label!r}", ndim=1).astype(float)
        if v.size < 2:
            raise ValueError(f"expected one value per seed (at least 2) for {label!r}, got {v.size}")
        lo, hi = float(v.min()), float(v.max())
        return cls(label, float(np.median(v)), max(hi - lo, 2 * resolution), book=book, model=model,
                   decimals=decimals, low=lo, high=hi, runs=int(v.size))

    def formatted(self) -> tuple[str, str, str]:
        """The row as printed: label, value (with its range over seeds), book."""
        fmt = f"{{:z.{self.decimals}f}}"  # z: a value that rounds to zero prints as 0, never -0
        value = fmt.format(self.value)
        if self.low is not None:
            value += f"  ({fmt.format(self.low)} to {fmt.format(self.high)}, {self.runs} seeds)"
        book = "—" if self.book is None else fmt.format(self.book)
        return self.label, value, book


def format_table(results: list[KeyResult], headers: tuple[str, str, str] = ("result", "this run", "book"),
                 book: bool = True) -> str:
    """Plain-text table of results, one per line, columns aligned; ``book=False`` leaves the book's column out."""
    rows = [headers] + [r.formatted() for r in results]
    if not book:
        rows = [row[:2] for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _display(text: str, chapter: str | None, results: list[KeyResult]) -> None:
    from IPython.display import Pretty, display

    if not results or not all(isinstance(r, KeyResult) for r in results):
        raise TypeError("expected a non-empty list of KeyResult")
    display(Pretty(text), metadata={METADATA_KEY: {"chapter": chapter, "rows": [asdict(r) for r in results]}})


def show_results(title: str, results: list[KeyResult]) -> None:
    """Print measured numbers as a table inside a lesson, each checked to its tolerance by the tests.

    Parameters
    ----------
    title : str
        A line above the table.
    results : list of KeyResult
    """
    book = any(r.book is not None for r in results if isinstance(r, KeyResult))
    headers = ("", "median  (range over seeds)", "book")
    _display(f"{title}\n{format_table(results, headers, book=book)}", None, results)


def show_key_results(chapter: str, results: list[KeyResult]) -> None:
    """Display the chapter's key results as a table, with machine-readable metadata.

    Parameters
    ----------
    chapter : str
        The chapter id from ``book.yml`` (``"5.1"``).
    results : list of KeyResult
    """
    models = sorted({r.model for r in results if isinstance(r, KeyResult) and r.model})
    text = f"Key results of chapter {chapter}" + (f" (model: {', '.join(models)})" if models else "")
    _display(text + "\n" + format_table(results), chapter, results)
