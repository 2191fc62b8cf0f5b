"""``course run`` (``make course``): execute every chapter notebook offline and summarise it.

Each notebook of ``book.yml`` is executed with nbclient into ``_build/notebooks/``. A chapter fails
when a cell raises, times out or kills the kernel, writes to stderr, or when the notebook publishes
no key results; the next chapter runs all the same, and one table ends the run with every
chapter's key results beside the book's figures.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import nbformat
from jupyter_core.utils import ensure_event_loop
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from course_utils.errors import CourseError
from course_utils.key_results import METADATA_KEY, KeyResult, format_table
from course_utils.tooling.book_config import Chapter, chapters, repo_root, select_chapters, shown_path

#: Seconds one cell may run before the chapter is stopped (``course run --timeout``).
DEFAULT_CELL_TIMEOUT = 900


@dataclass
class ChapterRun:
    """The outcome of executing one chapter notebook."""

    chapter: Chapter
    output: Path
    seconds: float
    results: list[KeyResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def key_results(nb) -> list[KeyResult]:
    """The key results a notebook published with :func:`course_utils.key_results.show_key_results`."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get(METADATA_KEY)
            if meta and meta.get("chapter"):   # a chapter's summary, not a table inside the lesson
                found.extend(KeyResult(**row) for row in meta["rows"])
    return found


def notebook_problems(nb) -> list[str]:
    """Cells that raised or wrote to stderr, described one per line."""
    problems = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"cell {i} raised {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                first = out.get("text", "").strip().splitlines()[:1]
                problems.append(f"cell {i} wrote to stderr: {first[0] if first else ''}")
    return problems


def kernel_env() -> dict[str, str]:
    """The environment a chapter's kernel runs with: ``os.environ`` (never changed), offline with a fixed hash seed
    unless it says otherwise."""
    return {"COURSE_OFFLINE": "1", "PYTHONHASHSEED": "0", **os.environ}


class _ChapterClient(NotebookClient):
    """nbclient's client, with Ctrl-C stopping the chapter cleanly.

    nbclient's own SIGINT handler shuts the kernel down under the running cell, then fails on an
    AssertionError. This one stops waiting for the running cell; nbclient shuts the kernel down as
    after any stopped cell, and :func:`execute_chapter` raises ``KeyboardInterrupt``.
    """

    interrupted = False

    def _on_ctrl_c(self) -> None:
        self.interrupted = True
        if self.task_poll_for_reply is not None:
            self.task_poll_for_reply.cancel()

    async def async_start_new_kernel(self, **kwargs) -> None:
        try:  # nbclient has just set its own handler; this one replaces it
            asyncio.get_running_loop().add_signal_handler(signal.SIGINT, self._on_ctrl_c)
        except RuntimeError:  # not the main thread: signals are not ours to handle
            pass
        await super().async_start_new_kernel(**kwargs)


def output_path(chapter: Chapter, build_dir: Path) -> Path:
    """Where ``chapter``'s executed notebook goes, after checking that it can be written there (else a CourseError)."""
    out_path = build_dir / chapter.notebook.name
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=build_dir).close()
    except OSError as err:
        raise CourseError(f"cannot write the executed notebooks into {build_dir} ({err.strerror}); make it "
                          "writable, or work in a copy of the course you can write to") from None
    if out_path.is_dir():
        raise CourseError(f"chapter {chapter.id}'s executed notebook would go to {out_path}, which is a folder; "
                          "move or remove that folder")
    return out_path


def execute_chapter(chapter: Chapter, build_dir: Path, timeout: int = DEFAULT_CELL_TIMEOUT) -> ChapterRun:
    """Execute one chapter notebook into ``build_dir`` and collect its results.

    A cell that raises, runs longer than ``timeout`` seconds or kills the kernel stops the notebook;
    the problem is recorded in :attr:`ChapterRun.problems` and the partly executed notebook is saved
    all the same. The kernel's own stderr is kept beside it only when the kernel died
    (``<name>.kernel.log``). Two runs of one chapter at once do not collide: the last to finish
    leaves its notebook. On Ctrl-C the kernel is shut down, nothing is written and
    ``KeyboardInterrupt`` is raised.
    """
    out_path = output_path(chapter, Path(build_dir))
    nb = nbformat.read(chapter.notebook, as_version=4)
    client = _ChapterClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    current = {"cell": None}

    def note_cell(cell, cell_index):
        if client.interrupted:  # Ctrl-C while the kernel started or between two cells
            raise DeadKernelError("interrupted")
        current["cell"] = cell_index

    client.on_cell_start = note_cell
    stopped: str | None = None
    log_fd, log_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.stem}.", suffix=".kernel.log")
    log_path = out_path.with_suffix(".kernel.log")
    start = time.perf_counter()
    try:
        with open(log_fd, "w", encoding="utf-8") as kernel_log:  # the kernel's own stderr, kept off the terminal
            client.execute(env=kernel_env(), stderr=kernel_log)
    except CellTimeoutError:
        stopped = (f"cell {current['cell']} was still running after {timeout} s and was stopped; later cells "
                   "did not run (raise the limit with course run --timeout, or make the cell faster)")
    except DeadKernelError:
        if client.interrupted:
            raise KeyboardInterrupt from None
        stopped = (f"the kernel died while running cell {current['cell']} (out of memory, or the process "
                   f"exited); later cells did not run; the kernel's last messages are in {log_path.name}")
        os.replace(log_name, log_path)
    except CellExecutionError as err:
        # The cell's error output is in the notebook and is reported below with its cell number;
        # the exception's own last line is kept only if the notebook has none.
        lines = str(err).strip().splitlines()
        stopped = None if any(out.get("output_type") == "error" for cell in nb.cells
                              for out in cell.get("outputs", [])) else (lines[-1] if lines else "a cell raised")
    finally:
        ensure_event_loop().remove_signal_handler(signal.SIGINT)  # Ctrl-C between chapters is Python's again
        Path(log_name).unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    _write_atomically(nb, out_path)
    problems = notebook_problems(nb)
    if stopped is not None:
        # A stopped cell shows the interrupt as an error output: the sentence above already says what happened.
        interrupted = f"cell {current['cell']} raised"
        problems = [stopped] + [p for p in problems if not p.startswith(interrupted)]
    run = ChapterRun(chapter, out_path, seconds, key_results(nb), problems)
    if not run.results and not run.problems:
        run.problems.append("published no key results (end the notebook with show_key_results)")
    return run


#: A chapter that runs longer than this many times its ``run_time_minutes`` in book.yml is reported.
OVERRUN_FACTOR = 1.5


def overrun(chapter: Chapter, seconds: float) -> str | None:
    """A sentence when ``chapter`` took more than 50 % longer than book.yml's ``run_time_minutes``, else None
    (also when book.yml states no time)."""
    stated = chapter.run_time_minutes
    if not stated or seconds <= OVERRUN_FACTOR * 60 * stated:
        return None
    return (f"took {seconds / 60:.1f} min, more than 50 % over the {stated:g} min book.yml states "
            f"(run_time_minutes); plan for the longer time, or update book.yml")


def _write_atomically(nb, path: Path) -> None:
    """Write ``nb`` to ``path`` whole or not at all, so two runs of one chapter never interleave in the file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".ipynb")
    try:
        with open(fd, "w", encoding="utf-8") as out:
            nbformat.write(nb, out)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def run_course(only: Iterable[str] | None = None, timeout: int = DEFAULT_CELL_TIMEOUT) -> int:
    """Execute the chapters of ``book.yml`` (or those with the ids ``only``) into ``_build/notebooks/`` and print
    the course's key-results table; return 0 when every chapter ran cleanly, else 1.

    Every selected chapter runs, even after one fails. An unknown chapter id or an output that cannot
    be written raises before any chapter runs (:class:`UnknownChapterError`, :class:`CourseError`).
    """
    root = repo_root()
    selected = select_chapters(chapters(root / "book.yml"), only)
    build_dir = root / "_build" / "notebooks"
    for chapter in selected:  # every output checked before the first chapter runs
        output_path(chapter, build_dir)
    runs = []
    for chapter in selected:
        print(f"[{chapter.id}] {chapter.title}: executing {shown_path(chapter.notebook, root)} ...", flush=True)
        run = execute_chapter(chapter, build_dir, timeout=timeout)
        status = "ok" if not run.problems else "FAILED"
        print(f"[{chapter.id}] {status} in {run.seconds:.0f} s → {shown_path(run.output, root)}", flush=True)
        for problem in run.problems:
            print(f"      {problem}")
        if overrun(chapter, run.seconds):
            print(f"      slow: {overrun(chapter, run.seconds)}")
        runs.append(run)

    print("\nKey results (this run beside the book's printed figures)\n")
    for run in runs:
        models = sorted({r.model for r in run.results if r.model})
        print(f"{run.chapter.id} {run.chapter.title}" + (f"  [model: {', '.join(models)}]" if models else ""))
        if run.results:
            print("    " + format_table(run.results).replace("\n", "\n    "))
        for problem in run.problems:
            print(f"    problem: {problem}")
        if overrun(run.chapter, run.seconds):
            print(f"    slow: {overrun(run.chapter, run.seconds)}")
        print()
    failed = [r.chapter.id for r in runs if r.problems]
    if failed:
        print(f"{len(failed)} of {len(runs)} chapters had problems: {', '.join(failed)}; "
              f"their executed notebooks (partly executed where a cell stopped) are in {shown_path(build_dir, root)}/")
        return 1
    print(f"all {len(runs)} chapters ran offline without errors or stderr; executed notebooks in "
          f"{shown_path(build_dir, root)}/")
    return 0
