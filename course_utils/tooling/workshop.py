"""``course workshop-check``: the instructor's dry run, the day before, on the room's machine or hub.

It checks what a room of learners will meet, in order: the Python and every installed package the
course needs against ``constraints/py3.X.txt``; the assets ``course doctor`` lists; every chapter
executed offline, with its time beside book.yml's; the student copies built (into a temporary folder,
so no learner's copy is touched); free disk and memory. It ends with one screen: ``READY``, or the
list of what to fix. The exit status says which: 0 ready, 1 not ready.
"""

from __future__ import annotations

import platform
import resource
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Iterable

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from course_utils.tooling import doctor
from course_utils.tooling.book_config import chapters, repo_root, shown_path
from course_utils.tooling.doctor import installed_version
from course_utils.tooling.runner import DEFAULT_CELL_TIMEOUT, execute_chapter, overrun
from course_utils.tooling.student import write_student_copies

#: What a learner's machine needs free, at least: the executed notebooks, the book and the caches fit in
#: 2 GiB of disk; the largest chapter kernel measured here peaks well under 2 GiB of memory
#: (``course workshop-check`` prints the peak it measured).
MIN_FREE_DISK_GIB = 2.0
MIN_AVAILABLE_MEMORY_GIB = 2.0
_GIB = 1024 ** 3


@dataclass
class Finding:
    """One line of the verdict: what was checked, whether it is fine, and what to do if not."""

    topic: str
    ok: bool
    detail: str


def constraint_pins(path: Path) -> dict[str, str]:
    """``name == version`` pins of a constraint file, by canonical name (comments and other lines skipped)."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[canonicalize_name(name.strip())] = version.strip()
    return pins


def needed_distributions(requirements: Iterable[str] = ("course-utils",),
                         environment: dict[str, str] | None = None) -> list[str]:
    """Every distribution ``requirements`` pull in (theirs, and so on), read from the installed metadata, with
    markers evaluated for ``environment`` (default: this machine); one not installed is listed, not followed."""
    environment = environment or default_environment()
    order: list[str] = []
    todo = [Requirement(text) for text in requirements]
    seen: set[tuple[str, frozenset]] = set()
    while todo:
        req = todo.pop(0)
        name = canonicalize_name(req.name)
        if (name, frozenset(req.extras)) in seen:
            continue
        seen.add((name, frozenset(req.extras)))
        if name not in order:
            order.append(name)
        if installed_version(name) is None:
            continue
        for text in metadata.requires(name) or []:
            sub = Requirement(text)
            if sub.marker is None or any(sub.marker.evaluate({**environment, "extra": extra})
                                         for extra in (req.extras or {""})):
                todo.append(sub)
    return order


def check_packages(root: Path) -> list[Finding]:
    """The Python version and each needed package against ``constraints/py3.X.txt``."""
    python = "%d.%d" % sys.version_info[:2]
    constraints = root / "constraints" / f"py{python}.txt"
    if not constraints.is_file():
        supported = sorted(p.stem[2:] for p in (root / "constraints").glob("py3.*.txt"))
        return [Finding("python", False, f"Python {platform.python_version()} has no {shown_path(constraints, root)}; "
                        f"CI verified the course on Python {', '.join(supported)}: use one of those")]
    pins = constraint_pins(constraints)
    wrong = []
    for name in needed_distributions():
        found = installed_version(name)
        if found is None:
            wrong.append(f"{name} is not installed")
            continue
        pin = pins.get(name)
        try:
            same = pin is None or Version(found).public == Version(pin).public  # torch 2.14.1+cpu is 2.14.1
        except InvalidVersion:
            same = found == pin
        if not same:
            wrong.append(f"{name} {found} (constraints: {pin})")
    if wrong:
        return [Finding("packages", False, f"{'; '.join(wrong)}; reinstall with "
                        f"pip install -c {shown_path(constraints, root)} -e . (or make course)")]
    return [Finding("packages", True, f"Python {platform.python_version()}, every needed package at the version "
                    f"of {shown_path(constraints, root)}")]


def check_assets(book_assets: bool = True) -> list[Finding]:
    """``course doctor``'s asset rows: a missing one is to fix (``book_assets=False``: only noted)."""
    found = []
    for row in doctor.asset_rows():
        if row.present:
            found.append(Finding(row.name, True, f"present ({row.location})"))
        elif book_assets:
            found.append(Finding(row.name, False, f"missing at {row.location}, needed for {row.needed_for}; run "
                                 "course prefetch while online (or pass --no-book-assets if the room runs without it)"))
        else:
            found.append(Finding(row.name, True, f"missing (--no-book-assets: the chapters run without it; "
                                 f"it is needed for {row.needed_for})"))
    return found


def check_chapters(root: Path, timeout: int = DEFAULT_CELL_TIMEOUT) -> list[Finding]:
    """Execute every chapter into ``_build/workshop-check/``; a failure or a time 50 % over book.yml's is to fix.

    A slow chapter is reported, not failed: the room can still run it, and the instructor plans with the time.
    """
    build = root / "_build" / "workshop-check"
    found = []
    for chapter in chapters(root / "book.yml"):
        print(f"[{chapter.id}] executing {shown_path(chapter.notebook, root)} ...", flush=True)
        run = execute_chapter(chapter, build, timeout=timeout)
        stated = f" (book.yml: {chapter.run_time_minutes:g} min)" if chapter.run_time_minutes else ""
        if run.problems:
            found.append(Finding(f"chapter {chapter.id}", False, f"{run.problems[0]} (after {run.seconds:.0f} s; "
                                 f"executed notebook: {shown_path(run.output, root)})"))
        else:
            slow = overrun(chapter, run.seconds)
            found.append(Finding(f"chapter {chapter.id}", True,
                                 f"ran in {run.seconds / 60:.1f} min{stated}" + (f"; slow: {slow}" if slow else "")))
        print(f"[{chapter.id}] {'ok' if not run.problems else 'FAILED'} in {run.seconds:.0f} s", flush=True)
    return found


def check_student_copies() -> list[Finding]:
    """Build the student copies into a temporary folder (a learner's copies are never touched)."""
    with tempfile.TemporaryDirectory(prefix="course-workshop-check-") as out:
        try:
            written = write_student_copies(out)
        except (ValueError, OSError) as err:
            return [Finding("student copies", False, f"{err}")]
        return [Finding("student copies", True, f"{len(written)} built (make lab writes them into _build/student/)")]


def _available_memory() -> int | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.virtual_memory().available


def _free_disk(root: Path) -> int:
    return shutil.disk_usage(root).free


def check_machine(root: Path) -> list[Finding]:
    """Free disk where the course lives, and available memory."""
    disk = _free_disk(root)
    found = [Finding("disk", disk >= MIN_FREE_DISK_GIB * _GIB,
                     f"{disk / _GIB:.1f} GiB free in {root} (at least {MIN_FREE_DISK_GIB:g} GiB needed)")]
    memory = _available_memory()
    if memory is None:
        found.append(Finding("memory", True, "not measured (psutil is not installed)"))
    else:
        found.append(Finding("memory", memory >= MIN_AVAILABLE_MEMORY_GIB * _GIB,
                             f"{memory / _GIB:.1f} GiB available (at least {MIN_AVAILABLE_MEMORY_GIB:g} GiB needed)"))
    return found


def _peak_kernel_memory() -> str:
    """The largest resident size any finished child process (a chapter's kernel) reached."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux, bytes on macOS
    peak_bytes = peak if sys.platform == "darwin" else peak * 1024
    return f"{peak_bytes / _GIB:.1f} GiB"


def workshop_check(execute: bool = True, book_assets: bool = True, timeout: int = DEFAULT_CELL_TIMEOUT) -> int:
    """Run every check, print one verdict, return 0 when the machine is ready for the workshop, else 1."""
    root = repo_root()
    findings = check_packages(root) + check_assets(book_assets)
    if execute:
        findings += check_chapters(root, timeout)
        findings.append(Finding("kernel memory", True, f"the largest chapter kernel peaked at {_peak_kernel_memory()}"))
    else:
        findings.append(Finding("chapters", True, "not executed (--no-execute); run without it for the full dry run"))
    findings += check_student_copies() + check_machine(root)
    problems = [f for f in findings if not f.ok]
    print("\n== workshop check")
    for f in findings:
        print(f"  [{'ok' if f.ok else 'FIX':3s}] {f.topic}: {f.detail}")
    if problems:
        print(f"\nNOT READY: {len(problems)} thing{'s' if len(problems) > 1 else ''} to fix: "
              f"{', '.join(f.topic for f in problems)}")
        return 1
    print("\nREADY" + ("" if execute else " (chapters not executed: run without --no-execute for the full dry run)"))
    return 0
