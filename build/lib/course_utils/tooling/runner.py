"""``make course``: execute every chapter notebook offline and summarise it.

Each notebook listed in ``book.yml`` is executed headlessly with nbclient into
``_build/notebooks/``. A chapter fails when a cell raises, times out or kills
the kernel, when anything is written to stderr (a warning or progress bar
leaking into the lesson) or when the notebook publishes no key results. A
failing chapter does not stop the run: its partly executed notebook is saved
for inspection and the next chapter runs. At the end one table lists every
chapter's key results next to the book's figures.

The kernel gets its own environment (the caller's, with ``COURSE_OFFLINE=1``
and ``PYTHONHASHSEED=0`` unless they are set); the caller's ``os.environ`` is
never changed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

import nbformat
from jupyter_core.utils import ensure_event_loop
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from course_utils.errors import CourseError
from course_utils.key_results import METADATA_KEY, KeyResult, format_table
from course_utils.tooling.book_config import Chapter, chapters, repo_root, select_chapters
from course_utils.validation import check_scalar

#: Seconds one cell may run before the chapter is stopped (``course run --timeout``).
DEFAULT_CELL_TIMEOUT = 900
#: Environment variables the kernel gets unless the caller has set them.
KERNEL_ENV_DEFAULTS = {"COURSE_OFFLINE": "1", "PYTHONHASHSEED": "0"}


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


def kernel_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a chapter's kernel runs with: ``base`` plus :data:`KERNEL_ENV_DEFAULTS` where unset.

    Parameters
    ----------
    base : mapping, optional
        Defaults to ``os.environ``, which is read, never changed.

    Returns
    -------
    dict
        A new dict.
    """
    env = dict(os.environ if base is None else base)
    for key, value in KERNEL_ENV_DEFAULTS.items():
        env.setdefault(key, value)
    return env


class _ChapterClient(NotebookClient):
    """nbclient's client, with Ctrl-C stopping the chapter cleanly.

    nbclient's own SIGINT handler shuts the kernel down under the running cell, then fails on an
    AssertionError. This one notes the interrupt and stops waiting for the running cell; nbclient
    then shuts the kernel down as after any stopped cell, and :func:`execute_chapter` raises
    ``KeyboardInterrupt``.
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
    """Where ``chapter``'s executed notebook goes, after checking that it can be written there.

    Raises
    ------
    CourseError
        If ``build_dir`` cannot be created or written to, or the notebook's path there is a folder.
    """
    build_dir, out_path = Path(build_dir), Path(build_dir) / chapter.notebook.name
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


def execute_chapter(chapter: Chapter, build_dir: Path, timeout: int = DEFAULT_CELL_TIMEOUT,
                    env: Mapping[str, str] | None = None) -> ChapterRun:
    """Execute one chapter notebook into ``build_dir`` and collect its results.

    A cell that raises, runs longer than ``timeout`` seconds or kills the
    kernel stops the notebook; the problem is recorded in
    :attr:`ChapterRun.problems` and the partly executed notebook is saved all
    the same, so it can be opened to see where it stopped. The kernel's own
    stderr goes to a log file of this run's own, kept beside the notebook only
    when the kernel died (``<name>.kernel.log``). Two runs of one chapter at
    once do not collide: the last to finish leaves its notebook.

    Parameters
    ----------
    chapter : Chapter
        An entry of ``book.yml`` (:func:`course_utils.tooling.book_config.load_book` checked its notebook).
    build_dir : Path
        Where the executed notebook is written (under its own file name).
    timeout : int
        Seconds one cell may run.
    env : mapping, optional
        The kernel's environment; defaults to :func:`kernel_env`.

    Returns
    -------
    ChapterRun

    Raises
    ------
    CourseError
        If the executed notebook cannot be written (checked before the kernel starts).
    KeyboardInterrupt
        On Ctrl-C: the kernel is shut down and nothing is written.
    """
    timeout = check_scalar(timeout, "timeout", int, min_val=1)
    out_path = output_path(chapter, build_dir)
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
            client.execute(env=dict(env) if env is not None else kernel_env(), stderr=kernel_log)
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


def _shown(path: Path, root: Path) -> str:
    """``path`` relative to the checkout when it lies inside it, else in full."""
    path = Path(path).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def run_course(build_dir: Path | None = None, only: Iterable[str] | None = None,
               timeout: int = DEFAULT_CELL_TIMEOUT) -> int:
    """Execute the chapters of ``book.yml`` and print the course's key-results table.

    Every selected chapter runs, even after one fails; the table and the list
    of chapters with problems are printed at the end either way.

    Parameters
    ----------
    build_dir : Path, optional
        Where the executed notebooks go; defaults to ``_build/notebooks/`` in the checkout.
    only : iterable of str, optional
        Chapter ids to run (``course run --chapter 5.1``); all chapters when empty.
    timeout : int
        Seconds one cell may run.

    Returns
    -------
    int
        0 when every chapter ran cleanly, 1 otherwise (a process exit code).

    Raises
    ------
    UnknownChapterError
        If ``only`` names a chapter that ``book.yml`` does not list; nothing is executed.
    CourseError
        If an executed notebook could not be written (see :func:`output_path`); nothing is executed.
    """
    timeout = check_scalar(timeout, "timeout", int, min_val=1)
    root = repo_root()
    selected = select_chapters(chapters(root / "book.yml"), only)
    build_dir = Path(build_dir) if build_dir is not None else root / "_build" / "notebooks"
    for chapter in selected:  # every output checked before the first chapter runs
        output_path(chapter, build_dir)
    env = kernel_env()
    runs = []
    for chapter in selected:
        print(f"[{chapter.id}] {chapter.title}: executing {_shown(chapter.notebook, root)} ...", flush=True)
        run = execute_chapter(chapter, build_dir, timeout=timeout, env=env)
        status = "ok" if not run.problems else "FAILED"
        print(f"[{chapter.id}] {status} in {run.seconds:.0f} s → {_shown(run.output, root)}", flush=True)
        for problem in run.problems:
            print(f"      {problem}")
        runs.append(run)

    print("\nKey results (this run beside the book's printed figures)\n")
    for run in runs:
        models = sorted({r.model for r in run.results if r.model})
        print(f"{run.chapter.id} {run.chapter.title}" + (f"  [model: {', '.join(models)}]" if models else ""))
        if run.results:
            print("    " + format_table(run.results).replace("\n", "\n    "))
        for problem in run.problems:
            print(f"    problem: {problem}")
        print()
    failed = [r.chapter.id for r in runs if r.problems]
    if failed:
        print(f"{len(failed)} of {len(runs)} chapters had problems: {', '.join(failed)}; "
              f"their executed notebooks (partly executed where a cell stopped) are in {_shown(build_dir, root)}/")
        return 1
    print(f"all {len(runs)} chapters ran offline without errors or stderr; executed notebooks in "
          f"{_shown(build_dir, root)}/")
    return 0
