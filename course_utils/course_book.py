"""Reading ``book.yml``, the course's table of contents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

#: The repository root (the folder that holds ``book.yml``) when running from a checkout.
REPO_ROOT = Path(__file__).resolve().parent.parent


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
