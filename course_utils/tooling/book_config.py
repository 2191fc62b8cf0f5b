"""Reading ``book.yml``, the course's table of contents."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

def find_repo_root(start: str | Path | None = None) -> Path:
    """The checkout the ``course`` command works on: the folder that holds ``book.yml``.

    Looked for in this order: ``$COURSE_ROOT``; ``start`` (default: the current
    folder) and each folder above it; the checkout this package was installed
    from (an editable install). So ``course`` works from any folder of a
    checkout, whether the package is installed editable or not.

    Raises
    ------
    FileNotFoundError
        If no ``book.yml`` is found that way.
    """
    env = os.environ.get("COURSE_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / "book.yml").is_file():
            raise FileNotFoundError(f"COURSE_ROOT is {env!r} but there is no book.yml there; point it at the course checkout")
        return root
    here = Path(start).resolve() if start is not None else Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "book.yml").is_file():
            return folder
    installed = Path(__file__).resolve().parents[2]
    if (installed / "book.yml").is_file():
        return installed
    raise FileNotFoundError(
        f"no book.yml in {here} or any folder above it; run `course` inside the course checkout or set COURSE_ROOT"
    )


#: The checkout the course runs from (see :func:`find_repo_root`), found once when tooling is imported.
REPO_ROOT = find_repo_root()


@dataclass(frozen=True)
class Chapter:
    """One chapter entry of ``book.yml``."""

    id: str
    title: str
    notebook: Path
    run_time_minutes: float = 0.0
    objectives: tuple[str, ...] = field(default_factory=tuple)


def load_book(path: str | Path | None = None) -> dict:
    """Read ``book.yml`` and return it as a dict with a validated ``chapters`` list.

    Parameters
    ----------
    path : str or Path, optional
        Defaults to ``book.yml`` at the repository root.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If a chapter entry lacks ``id``, ``title`` or ``notebook``.
    """
    path = Path(path) if path is not None else REPO_ROOT / "book.yml"
    if not path.is_file():
        raise FileNotFoundError(f"book.yml not found at {path}; run the course from the repository root")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chapters = []
    for i, entry in enumerate(data.get("chapters") or []):
        missing = [k for k in ("id", "title", "notebook") if k not in entry]
        if missing:
            raise ValueError(f"chapter {i} in {path} is missing {', '.join(missing)}")
        chapters.append(
            Chapter(
                id=str(entry["id"]),
                title=str(entry["title"]),
                notebook=(path.parent / entry["notebook"]).resolve(),
                run_time_minutes=float(entry.get("run_time_minutes", 0)),
                objectives=tuple(entry.get("objectives") or ()),
            )
        )
    if not chapters:
        raise ValueError(f"{path} lists no chapters")
    data["chapters"] = chapters
    return data


def chapters(path: str | Path | None = None) -> list[Chapter]:
    """The chapters of ``book.yml`` in order."""
    return load_book(path)["chapters"]
