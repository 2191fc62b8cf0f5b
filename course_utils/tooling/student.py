"""``course student`` (``make student``): copies of the chapter notebooks without their worked solutions.

A chapter's exercise is a markdown task and a check cell (both tagged ``exercise``) around a code
cell with the worked answer (tagged ``solution``, its code collapsed in JupyterLab by
``metadata.jupyter.source_hidden``). In a student copy each solution becomes a stub, shown, that
raises ``NotImplementedError("Exercise N: <hint>")``, the exercise cells lose their outputs, and
every other cell stays exactly as it is. ``make lab`` opens the student copies.
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
    """The hint shown in a solution's stub: ``metadata["hint"]``, else the cell's first comment line."""
    hint = cell.get("metadata", {}).get("hint")
    if hint:
        return " ".join(str(hint).split())
    for line in cell.get("source", "").splitlines():
        text = line.strip().lstrip("#").strip()
        if line.strip().startswith("#") and text:
            return text
    return "see the task above"


def make_student_copy(nb):
    """A new notebook: ``nb``'s student copy (solutions stubbed, exercise outputs cleared); ``nb`` is left unchanged.

    Raises a ``ValueError`` if a cell tagged ``solution`` is not a code cell.
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
            message = f"Exercise {number}: {solution_hint(cell)}"
            cell.source = STUB_MARKER.format(number=number) + f"\nraise NotImplementedError({message!r})\n"
            jupyter = cell.metadata.get("jupyter", {})
            jupyter.pop("source_hidden", None)  # the learner's stub is shown, not collapsed as the answer was
            if not jupyter:
                cell.metadata.pop("jupyter", None)
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


def _unwritable(out: Path, reason: str) -> OutputFolderError:
    return OutputFolderError(f"cannot write student copies into {out}: {reason}; choose a folder you can "
                             "write to with course student --out DIR")


def _prepare_folder(out: Path) -> Path:
    """Create ``out`` if needed and return a new empty temporary folder inside it, or raise one clear error."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".student-", dir=out))
    except OSError as err:
        blocker = next((p for p in (out, *out.parents) if p.exists() and not p.is_dir()), None)
        raise _unwritable(out, f"{blocker} is a file, not a folder" if blocker is not None
                          else (err.strerror or type(err).__name__)) from None


def write_student_copies(out_dir: str | Path | None = None, book_yml: str | Path | None = None,
                         force: bool = False, keep_edited: bool = False) -> list[Path]:
    """Write a student copy of every chapter notebook of ``book.yml`` into ``out_dir``, all of them or none.

    The copies are made in a temporary folder inside ``out_dir`` and moved into place only when every
    one is made, so a failure or a refusal leaves ``out_dir`` as it was. The sha256 of each copy is
    recorded in :data:`MANIFEST_NAME`, so the next run can tell a learner's edits apart.

    Parameters
    ----------
    out_dir : str or Path, optional
        Defaults to ``_build/student/`` in the checkout; created if missing.
    book_yml : str or Path, optional
        Defaults to ``book.yml`` in the checkout.
    force : bool, default False
        Overwrite copies edited since they were written, and same-named files that ``course student``
        did not write (no backup kept).
    keep_edited : bool, default False
        Leave such files as they are, and write the other copies (``make lab``: missing copies are
        written, a learner's work is kept).

    Returns
    -------
    list of Path
        The notebooks written, in chapter order.

    Raises
    ------
    OutputFolderError
        If ``out_dir`` is empty, holds the chapter notebooks themselves, or cannot be written to.
    ChangedCopiesError
        If, without ``force`` or ``keep_edited``, a file to be replaced differs both from the new copy
        and from what ``course student`` wrote there last time.
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
        if changed and keep_edited:  # left alone, and remembered as before: still edited next time
            staged = [path for path in staged if path.name not in changed]
            hashes = {name: before[name] if name in changed else new for name, new in hashes.items()
                      if name not in changed or name in before}
        elif changed and not force:
            raise ChangedCopiesError(f"{out} already holds {', '.join(changed)}, which differ from what course "
                                     "student wrote there (edited since, or not written by it); move them away, "
                                     "choose another folder with course student --out DIR, or pass --force to "
                                     "overwrite them")
        (staging / MANIFEST_NAME).write_text(json.dumps(hashes, indent=1) + "\n", encoding="utf-8")
        for path in staged:
            path.replace(out / path.name)
        (staging / MANIFEST_NAME).replace(out / MANIFEST_NAME)
        return [out / path.name for path in staged]
    except OSError as err:
        if isinstance(err, CourseError):
            raise
        raise _unwritable(out, err.strerror or str(err)) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
