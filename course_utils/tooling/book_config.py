"""Reading ``book.yml``, the course's table of contents.

Every ``course`` command reads the chapter list through :func:`load_book`, which checks the whole
file before anything runs: a malformed entry is one :class:`BookConfigError` naming the file, the
entry and what to fix, never a traceback from deep inside YAML or JSON.
"""

from __future__ import annotations

import json
import numbers
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from course_utils.errors import BookConfigError, CourseFileMissingError, UnknownChapterError
from course_utils.validation import check_scalar

#: An example of a chapter entry, quoted in the error messages.
_EXAMPLE_NOTEBOOK = "notebooks/05_1_image_embeddings.ipynb"


def repo_root() -> Path:
    """The checkout the ``course`` command works on: the folder that holds ``book.yml``, looked up now.

    Looked for in ``$COURSE_ROOT``; else the current folder and each folder above it; else the
    checkout this package was installed from (an editable install).

    Raises
    ------
    CourseFileMissingError
        If no ``book.yml`` is found that way (a ``FileNotFoundError``).
    """
    env = os.environ.get("COURSE_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / "book.yml").is_file():
            raise CourseFileMissingError(
                f"COURSE_ROOT is {env!r} but there is no book.yml there; point it at the course checkout or unset it"
            )
        return root
    here = Path.cwd().resolve()
    for folder in (here, *here.parents, Path(__file__).resolve().parents[2]):
        if (folder / "book.yml").is_file():
            return folder
    raise CourseFileMissingError(
        f"no book.yml in {here} or any folder above it; run `course` inside the course checkout or set COURSE_ROOT"
    )


def shown_path(path: str | Path, root: Path) -> str:
    """``path`` relative to the checkout ``root`` when it lies inside it, else in full."""
    path = Path(path).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


@dataclass(frozen=True)
class Chapter:
    """One chapter entry of ``book.yml``."""

    id: str
    title: str
    notebook: Path
    run_time_minutes: float = 0.0
    objectives: tuple[str, ...] = field(default_factory=tuple)
    #: Book element → ids of the notebook cells that reproduce it (see :mod:`course_utils.tooling.book_map`).
    book_map: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)


def _kind(value: object) -> str:
    """How a YAML value reads in a message: ``5 (int)``, ``None``, ``a list``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, list):
        return f"a list ({len(value)} items)"
    if isinstance(value, dict):
        return "a mapping"
    text = repr(value)
    return f"{text[:57] + '...' if len(text) > 60 else text} ({type(value).__name__})"


def _read_yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise BookConfigError(f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); "
                              "save it as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise BookConfigError(f"{path} is not valid YAML: {problem}{where}; fix the syntax there "
                              "(each chapter is a '- id: ...' entry with its fields indented under it)") from None


def _check_notebook_file(notebook: Path, where: str) -> None:
    """Raise unless ``notebook`` exists and holds a Jupyter notebook (JSON with ``cells``)."""
    if not notebook.is_file():
        raise CourseFileMissingError(f"{where}: notebook {notebook} does not exist; fix the path or add the notebook")
    try:
        content = json.loads(notebook.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        detail = f"invalid JSON at line {err.lineno}: {err.msg}" if isinstance(err, json.JSONDecodeError) else \
            "not UTF-8 text"
        raise BookConfigError(f"{where}: notebook {notebook} is not a Jupyter notebook ({detail}); "
                              "restore it from git or save it again from Jupyter") from None
    if not (isinstance(content, dict) and isinstance(content.get("cells"), list) and "nbformat" in content):
        raise BookConfigError(f"{where}: notebook {notebook} is JSON but not a Jupyter notebook (no 'cells' list "
                              "or 'nbformat'); name an .ipynb file saved by Jupyter")


def _chapter(entry: object, number: int, path: Path) -> Chapter:
    """One validated :class:`Chapter` from the ``number``-th (1-based) entry of ``path``."""
    where = f"{path}, chapter entry {number}"
    if not isinstance(entry, dict):
        raise BookConfigError(
            f"{where}: expected a mapping with id, title and notebook, got {_kind(entry)}; write the entry as "
            f"'- id: \"5.1\"' with 'title:' and 'notebook:' lines indented under it")
    if "id" in entry:
        where += f" (id {entry['id']!r})"
    missing = [key for key in ("id", "title", "notebook") if key not in entry]
    if missing:
        raise BookConfigError(f"{where} is missing {', '.join(missing)}; every chapter needs id, title and notebook "
                              f"(e.g. notebook: {_EXAMPLE_NOTEBOOK})")
    chapter_id = entry["id"]
    if isinstance(chapter_id, float):
        raise BookConfigError(f"{where}: id {chapter_id!r} was read as a number, which drops trailing zeros "
                              f"(5.10 becomes 5.1); quote it: id: \"{chapter_id}\"")
    if isinstance(chapter_id, bool) or not isinstance(chapter_id, (str, int)) or not str(chapter_id).strip():
        raise BookConfigError(f"{where}: id must be text such as \"5.1\", got {_kind(chapter_id)}")
    title = entry["title"]
    if not isinstance(title, str) or not title.strip():
        raise BookConfigError(f"{where}: title must be text, got {_kind(title)}; write e.g. title: Image embeddings")
    notebook_name = entry["notebook"]
    if not isinstance(notebook_name, str) or not notebook_name.strip():
        raise BookConfigError(f"{where}: notebook must be a path relative to {path.name}, got {_kind(notebook_name)}; "
                              f"write e.g. notebook: {_EXAMPLE_NOTEBOOK}")
    if not notebook_name.endswith(".ipynb"):
        raise BookConfigError(f"{where}: notebook {notebook_name!r} is not an .ipynb file; name the chapter's "
                              f"Jupyter notebook, e.g. {_EXAMPLE_NOTEBOOK}")
    book_dir = path.parent.resolve()
    notebook = (book_dir / notebook_name).resolve()
    if not notebook.is_relative_to(book_dir):
        raise BookConfigError(f"{where}: notebook {notebook_name!r} resolves to {notebook}, outside the course folder "
                              f"{book_dir}; keep chapter notebooks inside the checkout (e.g. in notebooks/)")
    _check_notebook_file(notebook, where)
    minutes = entry.get("run_time_minutes", 0)
    try:
        minutes = check_scalar(minutes, "run_time_minutes", numbers.Real, min_val=0)
    except (TypeError, ValueError) as err:
        raise BookConfigError(f"{where}: {err}; write the minutes as a number, e.g. run_time_minutes: 2") from None
    objectives = entry.get("objectives") or []
    if not isinstance(objectives, list) or not all(isinstance(o, str) for o in objectives):
        raise BookConfigError(f"{where}: objectives must be a list of sentences (one '- ...' line each), "
                              f"got {_kind(objectives)}")
    book_map = entry.get("book_map") or {}
    if not isinstance(book_map, dict):
        raise BookConfigError(f"{where}: book_map must be a mapping of book element to a list of cell ids, got "
                              f"{_kind(book_map)}; write e.g. \"Figure 5.2\": [book-figure-5-2]")
    cells_of: dict[str, tuple[str, ...]] = {}
    for element, cells in book_map.items():
        cells = [cells] if isinstance(cells, str) else cells
        if not isinstance(element, str) or not isinstance(cells, list) or \
                not all(isinstance(c, str) for c in cells):
            raise BookConfigError(f"{where}: book_map entry {element!r} must list cell ids as text, got "
                                  f"{_kind(cells)}; write e.g. \"Figure 5.2\": [book-figure-5-2]")
        cells_of[element] = tuple(cells)
    return Chapter(id=str(chapter_id).strip(), title=title.strip(), notebook=notebook,
                   run_time_minutes=minutes, objectives=tuple(objectives), book_map=cells_of)


def load_book(path: str | Path | None = None) -> dict:
    """Read ``book.yml`` and return it as a dict with a validated ``chapters`` list.

    Every entry needs a unique ``id`` (text, such as ``"5.1"``), a ``title`` and a ``notebook``
    (an ``.ipynb`` file inside the folder of ``book.yml``); ``run_time_minutes``, ``objectives``
    and ``book_map`` (book element → notebook cell ids) are optional.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``book.yml`` in :func:`repo_root`.

    Returns
    -------
    dict
        The file's settings, with ``chapters`` a list of :class:`Chapter`.

    Raises
    ------
    CourseFileMissingError
        If the file, or a notebook it names, does not exist (a ``FileNotFoundError``).
    BookConfigError
        If the file is not valid YAML or an entry is malformed (a ``ValueError``).

    Examples
    --------
    >>> [c.id for c in load_book()["chapters"]][:2]
    ['5.1', '5.2']
    """
    path = Path(path) if path is not None else repo_root() / "book.yml"
    if not path.is_file():
        raise CourseFileMissingError(f"book.yml not found at {path}; run the course inside its checkout "
                                     "or set COURSE_ROOT")
    data = _read_yaml(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise BookConfigError(f"{path} must be a mapping at the top level (title: ..., chapters: ...), got "
                              f"{_kind(data)}; put the chapter entries under a 'chapters:' key")
    entries = data.get("chapters")
    if entries is None or entries == []:
        raise BookConfigError(f"{path} lists no chapters; add a 'chapters:' list with one '- id: ...' entry "
                              "per notebook")
    if not isinstance(entries, list):
        raise BookConfigError(f"{path}: 'chapters' must be a list of entries ('- id: ...'), got {_kind(entries)}")
    found: list[Chapter] = []
    for number, entry in enumerate(entries, start=1):
        chapter = _chapter(entry, number, path)
        if any(c.id == chapter.id for c in found):
            raise BookConfigError(f"{path}, chapter entry {number}: id {chapter.id!r} is already used by an earlier "
                                  "chapter; give every chapter its own id")
        found.append(chapter)
    return {**data, "chapters": found}


def chapters(path: str | Path | None = None) -> list[Chapter]:
    """The chapters of ``book.yml`` in order (see :func:`load_book`)."""
    return load_book(path)["chapters"]


def select_chapters(available: Iterable[Chapter], ids: Iterable[str] | None) -> list[Chapter]:
    """The chapters whose ids are in ``ids``, in book order; every chapter when ``ids`` is empty.

    Raises
    ------
    UnknownChapterError
        If an id is not a chapter of the book (a ``ValueError``); the message lists the valid ids.
    """
    available = list(available)
    wanted = [str(i).strip() for i in (ids or [])]
    if not wanted:
        return available
    valid = [c.id for c in available]
    unknown = [i for i in wanted if i not in valid]
    if unknown:
        listed = ", ".join(repr(i) for i in unknown)
        raise UnknownChapterError(
            f"book.yml has no chapter {listed}; its chapter ids are {', '.join(valid)} "
            f"(e.g. course run --chapter {valid[0]})")
    return [c for c in available if c.id in wanted]
