"""``make course``: execute every chapter notebook offline and summarise it.

Each notebook listed in ``book.yml`` is executed headlessly with nbclient into
``_build/notebooks/``. The run fails when a cell raises, when anything is
written to stderr (a warning or progress bar leaking into the lesson) or when
a notebook publishes no key results. At the end one table lists every
chapter's key results next to the book's figures.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from course_utils.tooling.book_config import Chapter, REPO_ROOT, chapters
from course_utils.key_results import METADATA_KEY, KeyResult, format_table


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
            if meta:
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


def execute_chapter(chapter: Chapter, build_dir: Path, timeout: int = 900) -> ChapterRun:
    """Execute one chapter notebook into ``build_dir`` and collect its results."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    if not chapter.notebook.is_file():
        raise FileNotFoundError(f"chapter {chapter.id}: notebook {chapter.notebook} (named in book.yml) does not exist")
    nb = nbformat.read(chapter.notebook, as_version=4)
    out_path = build_dir / chapter.notebook.name
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(chapter.notebook.parent)}})
    problems = []
    try:
        client.execute()
    except CellExecutionError as exc:
        problems.append(str(exc).strip().splitlines()[-1])
    seconds = time.perf_counter() - start
    out_path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out_path)
    run = ChapterRun(chapter, out_path, seconds, key_results(nb), problems + notebook_problems(nb))
    if not run.results and not run.problems:
        run.problems.append("published no key results (end the notebook with show_key_results)")
    return run


def run_course(build_dir: Path | None = None, only: list[str] | None = None) -> int:
    """Execute the chapters of ``book.yml`` and print the course's key-results table.

    Returns
    -------
    int
        0 when every chapter ran cleanly, 1 otherwise (a process exit code).
    """
    os.environ.setdefault("COURSE_OFFLINE", "1")
    build_dir = build_dir or REPO_ROOT / "_build" / "notebooks"
    runs = []
    for chapter in chapters():
        if only and chapter.id not in only:
            continue
        print(f"[{chapter.id}] {chapter.title}: executing {chapter.notebook.relative_to(REPO_ROOT)} ...", flush=True)
        run = execute_chapter(chapter, build_dir)
        status = "ok" if not run.problems else "FAILED"
        print(f"[{chapter.id}] {status} in {run.seconds:.0f} s → {run.output.relative_to(REPO_ROOT)}", flush=True)
        for problem in run.problems:
            print(f"      {problem}")
        runs.append(run)

    print("\nKey results (this run beside the book's printed figures)\n")
    for run in runs:
        models = sorted({r.model for r in run.results if r.model})
        print(f"{run.chapter.id} {run.chapter.title}" + (f"  [model: {', '.join(models)}]" if models else ""))
        if run.results:
            print("    " + format_table(run.results).replace("\n", "\n    "))
        print()
    failed = [r.chapter.id for r in runs if r.problems]
    if failed:
        print(f"chapters with problems: {', '.join(failed)}")
        return 1
    print(f"all {len(runs)} chapters ran offline without errors or stderr; executed notebooks in {build_dir.relative_to(REPO_ROOT)}/")
    return 0
