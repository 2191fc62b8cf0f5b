"""Student copies of the chapter notebooks: the exercises without their solutions.

A chapter notebook ends with exercises. Each one is a markdown cell with the
task (tagged ``exercise``), a code cell with the worked answer (tagged
``solution``) and a code cell that checks the answer (tagged ``exercise``)
with a function from :mod:`course_utils.exercises`.

:func:`write_student_copies` (``course student``, ``make student``) writes a
copy of every chapter of ``book.yml`` into ``_build/student/`` (or ``--out DIR``), all
of them or none, in which

- every ``solution`` cell is replaced by a stub that raises
  ``NotImplementedError("Exercise N: <hint>")``; the hint is the cell's
  ``metadata["hint"]``, or else its first comment line;
- the outputs and execution counts of ``solution`` and ``exercise`` cells are
  cleared, so the copy does not give the answers away;
- every other cell is left exactly as it is, outputs included.

It never overwrites a learner's work: the folder keeps a manifest
(``.student-manifest.json``, the sha256 of each copy written), and a copy
that no longer matches it (edited since), or a same-named file that
``course student`` did not write, makes it refuse unless ``force=True``
(``--force``), which overwrites them. It never writes into the folder of the
chapter notebooks themselves, nor into an empty path.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from course_utils.errors import ChangedCopiesError, CourseError, OutputFolderError, StudentCopyError
from course_utils.tooling.book_config import chapters, repo_root

SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
#: The first line of every stub; the test of the student copies looks for it.
STUB_MARKER = "# Exercise {number}: write your answer here, replacing the line below."
#: In the output folder: file name → sha256 of each copy ``course student`` wrote there last time.
MANIFEST_NAME = ".student-manifest.json"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def solution_hint(cell) -> str:
    """The hint shown in a solution's stub: ``metadata["hint"]``, else the first comment line.

    Parameters
    ----------
    cell : nbformat.NotebookNode
        A code cell tagged ``solution``.

    Returns
    -------
    str
        One line of text (a generic one if the cell offers none).
    """
    hint = cell.get("metadata", {}).get("hint")
    if hint:
        return " ".join(str(hint).split())
    for line in cell.get("source", "").splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            text = stripped.lstrip("#").strip()
            if text:
                return text
    return "see the task above"


def stub_source(number: int, hint: str) -> str:
    """The code that replaces solution number ``number`` in a student copy."""
    return STUB_MARKER.format(number=number) + f"\nraise NotImplementedError({f'Exercise {number}: {hint}'!r})\n"


def make_student_copy(nb):
    """Return a student copy of a notebook: solutions stubbed, exercise outputs cleared.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A chapter notebook (left unchanged).

    Returns
    -------
    nbformat.NotebookNode
        A new notebook.

    Raises
    ------
    ValueError
        If a cell tagged ``solution`` is not a code cell.
    """
    student = copy.deepcopy(nb)
    number = 0
    for i, cell in enumerate(student.cells):
        tags = _tags(cell)
        if SOLUTION_TAG in tags:
            if cell.cell_type != "code":
                raise ValueError(f"cell {i} is tagged {SOLUTION_TAG!r} but is a {cell.cell_type} cell; "
                                 "only code cells can hold solutions")
            number += 1
            cell.source = stub_source(number, solution_hint(cell))
        if cell.cell_type == "code" and (SOLUTION_TAG in tags or EXERCISE_TAG in tags):
            cell.outputs = []
            cell.execution_count = None
    return student


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest(out: Path) -> dict:
    """What ``course student`` wrote into ``out`` last time (file name → sha256); empty if unknown."""
    try:
        data = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _prepare_folder(out: Path) -> Path:
    """Create ``out`` if needed and return a new empty temporary folder inside it, or raise one clear error."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".student-", dir=out))
    except OSError as err:
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
        reason = f"{blocker} is a file, not a folder" if blocker is not None else (err.strerror or type(err).__name__)
        raise OutputFolderError(f"cannot write student copies into {out}: {reason}; choose a folder you can "
                                "write to with course student --out DIR") from None


def write_student_copies(out_dir: str | Path | None = None, book_yml: str | Path | None = None,
                         force: bool = False) -> list[Path]:
    """Write a student copy of every chapter notebook in ``book.yml``, all of them or none.

    The copies are first written to a temporary folder inside ``out_dir`` and
    moved into place only when every one of them has been made, so a chapter
    that cannot be copied, or a refusal, leaves ``out_dir`` as it was (no
    partial set). The sha256 of each copy is recorded in ``out_dir`` (see
    :data:`MANIFEST_NAME`), so the next run can tell a learner's edits apart.

    Parameters
    ----------
    out_dir : str or Path, optional
        Defaults to ``_build/student/`` in the checkout; created if missing.
        Must not be empty nor the folder of the chapter notebooks.
    book_yml : str or Path, optional
        Defaults to ``book.yml`` in the checkout.
    force : bool, default False
        Overwrite copies that were edited since they were written, and
        same-named files that ``course student`` did not write (no backup kept).

    Returns
    -------
    list of Path
        The notebooks written, in chapter order.

    Raises
    ------
    CourseFileMissingError
        If a notebook named in ``book.yml`` does not exist (a ``FileNotFoundError``).
    OutputFolderError
        If ``out_dir`` is empty, holds the chapter notebooks themselves, or cannot be
        created or written to (an ``OSError``).
    ChangedCopiesError
        If, without ``force``, a file to be replaced differs both from the new copy and from
        what ``course student`` wrote there last time (a ``FileExistsError``).
    StudentCopyError
        If a notebook cannot be turned into a student copy (a ``ValueError``).
    """
    book = chapters(book_yml)
    if out_dir is not None and not str(out_dir).strip():
        raise OutputFolderError(f"the output folder is an empty path ({str(out_dir)!r}); name a folder with "
                                "course student --out DIR, or leave --out out to write into _build/student/")
    out = Path(out_dir) if out_dir is not None else repo_root() / "_build" / "student"
    own = [c.notebook.name for c in book if os.path.exists(out / c.notebook.name)
           and os.path.samefile(out / c.notebook.name, c.notebook)]
    if own:
        raise OutputFolderError(f"{out} holds the course's own chapter notebooks ({', '.join(own)}), whose worked "
                                "solutions the student copies would replace; choose another folder with "
                                "course student --out DIR")
    staging = _prepare_folder(out)
    try:
        staged = []
        for chapter in book:
            nb = nbformat.read(chapter.notebook, as_version=4)
            try:
                student = make_student_copy(nb)
            except ValueError as err:
                raise StudentCopyError(f"chapter {chapter.id} ({chapter.notebook.name}): {err}; "
                                       f"no student copies were written") from None
            path = staging / chapter.notebook.name
            nbformat.write(student, path)
            staged.append(path)
        before = _manifest(out)
        hashes = {path.name: _sha256(path) for path in staged}
        changed = [name for name, new in hashes.items() if (out / name).is_file()
                   and _sha256(out / name) not in (new, before.get(name))]
        if changed and not force:
            raise ChangedCopiesError(f"{out} already holds {', '.join(changed)}, which differ from what course "
                                     "student wrote there (edited since, or not written by it); move them away, "
                                     "choose another folder with course student --out DIR, or pass --force to "
                                     "overwrite them")
        (staging / MANIFEST_NAME).write_text(json.dumps(hashes, indent=1) + "\n", encoding="utf-8")
        written = []
        for path in staged:
            target = out / path.name
            path.replace(target)
            written.append(target)
        (staging / MANIFEST_NAME).replace(out / MANIFEST_NAME)
        return written
    except OSError as err:
        if isinstance(err, CourseError):
            raise
        reason = err.strerror or str(err)
        raise OutputFolderError(f"cannot write student copies into {out}: {reason}; choose a folder you can "
                                "write to with course student --out DIR") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
