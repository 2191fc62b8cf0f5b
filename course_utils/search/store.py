"""A search index of a folder of media: SQLite bookkeeping plus a vector backend, in one folder.

The folder given as ``--db`` holds ``index.sqlite`` (one row per file: path, size, mtime, SHA-256,
modality, model, dimension and the unit-length vector), the backend's data (``<model>.faiss`` files, or a
Qdrant collection per model) and ``lock``. SQLite is the source of truth: rows are committed a few files at
a time, so a run stopped by Ctrl-C or killed keeps what it embedded, and the backend is rebuilt from SQLite
whenever it disagrees (:mod:`course_utils.search.backends`). A file whose size and modification time are
those of its row is not read again.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
from tqdm import tqdm

from course_utils.errors import SearchError
from course_utils.search.backends import FaissBackend, QdrantBackend, VectorBackend
from course_utils.search.media import AUDIO_MODEL, IMAGE_MODEL, Embedder, detect_modality
from course_utils.validation import check_choice, check_path, check_scalar

if os.name == "nt":
    import msvcrt
else:
    import fcntl

__all__ = ["DEFAULT_DUPLICATE_THRESHOLD", "DUPLICATE_THRESHOLDS", "Hit", "IndexSummary", "SearchIndex", "index_lock"]

#: Lite0 cosine above which two images count as near-duplicates: chapter 5.1's calibrated threshold (0.52),
#: halfway between its edited copies' lowest cosine and unrelated photos' highest.
DEFAULT_DUPLICATE_THRESHOLD = 0.52
#: Each space's default. aiSFX gives every pair of sounds a high cosine: on chapter 5.2's seven gallery sounds,
#: different sounds reach 0.974 and copies at half volume, with noise and 50 ms cut, 0.920 to 0.99, so no
#: threshold separates them; 0.98 keeps different sounds apart and misses some edited copies.
DUPLICATE_THRESHOLDS = {IMAGE_MODEL: DEFAULT_DUPLICATE_THRESHOLD, AUDIO_MODEL: 0.98}
#: Files embedded per SQLite commit: a stopped run loses at most this many.
BATCH = 4
SQLITE_NAME = "index.sqlite"
_CHUNK = 10_000
_SCHEMA = """CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL, modality TEXT NOT NULL, model TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL)"""
_KINDS = {"image": "images", "video": "videos", "audio": "sounds"}


@dataclass(frozen=True)
class Hit:
    """One search result: the file, its kind and its cosine with the query."""

    path: str
    modality: str
    cosine: float


@dataclass
class IndexSummary:
    """What one :meth:`SearchIndex.index` run did.

    ``embedded`` counts files embedded and committed so far, so after Ctrl-C it says what was saved.
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    to_embed: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)

    @property
    def embedded(self) -> int:
        return self.new + self.changed


def _db_folder(db: str | os.PathLike, create: bool) -> Path:
    """``db`` as an absolute path to an index folder, made if ``create``; one sentence if it cannot be one."""
    folder = Path(db).absolute()
    if folder.exists() and not folder.is_dir():
        raise SearchError(f"--db {folder} is a file; the index is a folder: pass a folder path (new or existing)")
    if not (folder / SQLITE_NAME).is_file():
        if not create:
            raise SearchError(f"there is no search index at {folder}; build one with "
                              f"course search index FOLDER --db {folder}")
        if not folder.parent.is_dir():
            raise SearchError(f"cannot create the index folder {folder}: its parent folder does not exist")
        folder.mkdir(exist_ok=True)
    return folder


@contextmanager
def index_lock(db: str | os.PathLike) -> Iterator[None]:
    """Hold ``db/lock`` exclusively (an OS lock, released when the process ends, even if it is killed).

    Makes the index folder ``db`` if it is missing.

    Raises
    ------
    course_utils.errors.SearchError
        If another process holds it, or ``db`` cannot be an index folder.
    """
    fd = os.open(_db_folder(db, create=True) / "lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            if os.name == "nt":
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SearchError(f"another course search index is running on {Path(db).absolute()}; wait for it to "
                              "finish, or stop it (Ctrl-C keeps what it saved)") from None
        yield
    finally:
        os.close(fd)   # closing the descriptor releases the lock


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _walk(folder: Path, skip: Path) -> Iterator[Path]:
    """Every file under ``folder`` in a stable order, leaving out the index folder ``skip``."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if Path(root, d) != skip)
        yield from (Path(root, f) for f in sorted(files))


class SearchIndex:
    """An index folder opened for reading, or for indexing (then under :func:`index_lock`).

    Parameters
    ----------
    db : str or pathlib.Path
        The index folder; created by :meth:`index` if missing (its parent must exist).
    backend : {"faiss", "qdrant"}
        Where vectors go and searches run.
    qdrant_path : pathlib.Path, optional
        Qdrant local-mode folder (default ``db/qdrant``).
    qdrant_url : str, optional
        A Qdrant server instead of local mode.
    create : bool
        Make the folder and table if missing (indexing); otherwise a missing index is an error.

    Raises
    ------
    course_utils.errors.SearchError
        ``db`` is a file, missing (``create=False``), or its SQLite file is damaged.
    """

    def __init__(self, db: str | os.PathLike, backend: str = "faiss", qdrant_path: Path | None = None,
                 qdrant_url: str | None = None, create: bool = False):
        self.db = _db_folder(check_path(db, "db"), check_scalar(create, "create", bool))
        check_choice(backend, "backend", ("faiss", "qdrant"))
        self.sql = sqlite3.connect(self.db / SQLITE_NAME)
        try:
            self.sql.execute("PRAGMA journal_mode=WAL")
            self.sql.execute(_SCHEMA)
            self.sql.commit()
            self.spaces = {model: dim for model, dim in
                           self.sql.execute("SELECT DISTINCT model, dim FROM items ORDER BY model")}
        except sqlite3.DatabaseError as err:
            self.sql.close()
            raise SearchError(f"{self.db / SQLITE_NAME} is damaged ({err}); move the folder {self.db} aside "
                              "and run course search index again to rebuild it") from None
        self.backend: VectorBackend = (FaissBackend(self.db) if backend == "faiss" else
                                       QdrantBackend(qdrant_path or self.db / "qdrant", qdrant_url))
        for model, dim in self.spaces.items():
            self.backend.sync(model, dim, self._ids(model), self._fetch)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close SQLite and the backend."""
        self.backend.close()
        self.sql.close()

    @property
    def notes(self) -> list[str]:
        """What the backend repaired on opening (a damaged faiss file rebuilt from SQLite, ...)."""
        return self.backend.notes

    def _ids(self, model: str) -> np.ndarray:
        return np.array([i for (i,) in self.sql.execute("SELECT id FROM items WHERE model = ? ORDER BY id",
                                                        (model,))], dtype=np.int64)

    def _fetch(self, ids: np.ndarray) -> tuple[np.ndarray, list[dict]]:
        rows = {}
        for start in range(0, len(ids), _CHUNK):   # SQLite takes at most 32 766 parameters per statement
            chunk = [int(i) for i in ids[start:start + _CHUNK]]
            rows.update((i, (v, p, m)) for i, v, p, m in self.sql.execute(
                f"SELECT id, vector, path, modality FROM items WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        vectors = np.stack([np.frombuffer(rows[int(i)][0], dtype=np.float32) for i in ids])
        return vectors, [{"path": rows[int(i)][1], "modality": rows[int(i)][2]} for i in ids]

    def check_space(self, modality: str, embedder: Embedder) -> None:
        """Refuse an embedder whose model or size differs from what this index holds for ``modality``.

        Raises
        ------
        course_utils.errors.SearchError
        """
        row = self.sql.execute("SELECT model, dim FROM items WHERE modality = ? AND (model != ? OR dim != ?) LIMIT 1",
                               (modality, embedder.model, embedder.dim)).fetchone()
        if row is None and self.spaces.get(embedder.model, embedder.dim) != embedder.dim:
            row = (embedder.model, self.spaces[embedder.model])
        if row is not None:
            raise SearchError(f"{self.db} holds {_KINDS[modality]} embedded with {row[0]} ({row[1]}-d), but these are "
                              f"embedded with {embedder.model} ({embedder.dim}-d); use another --db for this model")

    # ------------------------------------------------------------------ indexing

    def index(self, folder: str | os.PathLike, embedders: dict[str, Embedder], summary: IndexSummary,
              progress: bool = True) -> IndexSummary:
        """Bring the index up to date with ``folder``: embed new and changed files, drop deleted ones.

        Call it under :func:`index_lock`. Unchanged files (same size and ``mtime_ns``) are not read.
        Files that are not media, or that fail to decode, are skipped and listed in ``summary.skipped``.

        Parameters
        ----------
        folder : str or pathlib.Path
            The folder to index, walked recursively.
        embedders : dict of str to Embedder
            One per modality, e.g. :func:`course_utils.search.media.course_embedders`.
        summary : IndexSummary
            Filled in as the run goes, so that after Ctrl-C it still says what was saved.
        progress : bool
            Show a progress bar (files done, files per second) on stderr when there is something to embed.

        Returns
        -------
        IndexSummary
            ``summary``.

        Raises
        ------
        course_utils.errors.SearchError
            ``folder`` is not a folder, or an embedder does not match the models already in the index.
        """
        root = Path(folder).absolute()
        if not root.is_dir():
            raise SearchError(f"expected a folder to index, got {root}, which is "
                              f"{'a file' if root.exists() else 'missing'}")
        known = {p: (i, s, m) for i, p, s, m in self.sql.execute("SELECT id, path, size, mtime_ns FROM items")}
        seen, todo = set(), []
        for path in _walk(root, self.db):
            try:
                stat = path.stat()
            except OSError as err:
                summary.skipped.append((str(path), f"cannot read it ({err.strerror})"))
                continue
            seen.add(str(path))
            row = known.get(str(path))
            if row is not None and (row[1], row[2]) == (stat.st_size, stat.st_mtime_ns):
                summary.unchanged += 1
            else:
                todo.append((path, stat, row))
        summary.to_embed = len(todo)
        prefix = str(root) + os.sep
        gone = [(p, row[0]) for p, row in known.items() if p.startswith(prefix) and p not in seen]
        self._remove([i for _, i in gone])
        summary.removed = len(gone)
        pending: dict[str, list] = {}
        try:
            with tqdm(total=len(todo), desc="embedding", unit="file", file=sys.stderr, disable=not (progress and todo)) as bar:
                for path, stat, row in todo:
                    try:
                        modality = detect_modality(path)
                        embedder = embedders.get(modality)
                        if embedder is None:
                            raise ValueError(f"this run has no model for {_KINDS[modality]}")
                        self.check_space(modality, embedder)
                        item = (path, stat, row, modality, _sha256(path), embedder.load(path))
                    except SearchError:
                        raise
                    except Exception as err:  # noqa: BLE001 -- any decoder may fail on any file: a reason, not a crash
                        summary.skipped.append((str(path), _reason(err)))
                        bar.update(1)
                        continue
                    batch = pending.setdefault(modality, [])
                    batch.append(item)
                    if len(batch) == BATCH:
                        self._commit(pending.pop(modality), embedder, summary, bar)
                for modality, batch in pending.items():
                    self._commit(batch, embedders[modality], summary, bar)
        finally:
            self.backend.save()
        return summary

    def _commit(self, batch: list, embedder: Embedder, summary: IndexSummary, bar: tqdm) -> None:
        """Embed a batch, write its rows in one SQLite transaction, then hand the vectors to the backend."""
        try:
            vectors = np.asarray(embedder.embed([item[-1] for item in batch]), dtype=np.float32)
        except Exception as err:  # noqa: BLE001 -- one bad file must not sink its batch: embed them one at a time
            if len(batch) > 1:
                for item in batch:
                    self._commit([item], embedder, summary, bar)
            else:
                summary.skipped.append((str(batch[0][0]), _reason(err)))
                bar.update(1)
            return
        if vectors.shape != (len(batch), embedder.dim):
            raise SearchError(f"{embedder.model} gave vectors of shape {vectors.shape[1:]}, not ({embedder.dim},) "
                              "as declared")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        vectors = vectors / np.where(norms > 0, norms, 1)
        rows = [(str(path), stat.st_size, stat.st_mtime_ns, sha, modality, embedder.model, embedder.dim, v.tobytes())
                for (path, stat, _, modality, sha, _), v in zip(batch, vectors)]
        replaced = [item[2][0] for item in batch if item[2] is not None]
        self._remove(replaced, commit=False)
        ids = np.array([self.sql.execute("INSERT INTO items (path, size, mtime_ns, sha256, modality, model, dim, "
                                         "vector) VALUES (?,?,?,?,?,?,?,?)", row).lastrowid for row in rows],
                       dtype=np.int64)
        self.sql.commit()
        summary.changed += len(replaced)
        summary.new += len(batch) - len(replaced)
        self.spaces.setdefault(embedder.model, embedder.dim)
        self.backend.add(embedder.model, ids, vectors, [{"path": r[0], "modality": r[4]} for r in rows])
        bar.update(len(batch))

    def _remove(self, ids: list[int], commit: bool = True) -> None:
        by_model: dict[str, list[int]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for i, model in self.sql.execute(f"SELECT id, model FROM items WHERE id IN ({marks})", chunk):
                by_model.setdefault(model, []).append(i)
            self.sql.execute(f"DELETE FROM items WHERE id IN ({marks})", chunk)
        if commit:
            self.sql.commit()
        for model, model_ids in by_model.items():
            self.backend.remove(model, np.array(model_ids, dtype=np.int64))

    # ------------------------------------------------------------------ searching

    def _hits(self, ids: np.ndarray, cosines: np.ndarray) -> list[Hit]:
        rows = {i: (p, m) for i, p, m in self.sql.execute(
            f"SELECT id, path, modality FROM items WHERE id IN ({','.join('?' * len(ids))})", [int(i) for i in ids])}
        return [Hit(*rows[int(i)], float(c)) for i, c in zip(ids, cosines) if int(i) in rows]

    def query(self, path: str | os.PathLike, embedders: dict[str, Embedder], k: int = 10) -> list[Hit]:
        """The ``k`` items nearest to a media file, best first, in the space of its modality's model.

        Parameters
        ----------
        path : str or pathlib.Path
            An image, sound or video file (it need not be in the index).
        embedders : dict of str to Embedder
            As for :meth:`index`.
        k : int
            How many results.

        Returns
        -------
        list of Hit

        Raises
        ------
        course_utils.errors.SearchError
            The file is missing or not media, or the index holds nothing embedded with its model.
        """
        path = Path(path)
        if not path.is_file():
            raise SearchError(f"cannot query with {path}: no such file")
        try:
            modality = detect_modality(path)
        except ValueError as err:
            raise SearchError(f"cannot query with {path}: {err}") from None
        embedder = embedders[modality]
        self.check_space(modality, embedder)
        if embedder.model not in self.spaces:
            raise SearchError(f"{self.db} holds nothing embedded with {embedder.model}, the model for "
                              f"{_KINDS[modality]}; index a folder with {_KINDS[modality]} first")
        try:
            vector = np.asarray(embedder.embed([embedder.load(path)]), dtype=np.float32)[0]
        except Exception as err:  # noqa: BLE001 -- a damaged query file gets its reason, not a traceback
            raise SearchError(f"cannot query with {path}: {_reason(err)}") from None
        vector = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return self._hits(*self.backend.search(embedder.model, vector, k))

    def duplicates(self, threshold: float | None = None) -> list[list[Hit]]:
        """Groups of near-duplicates: pairs with cosine at least ``threshold``, joined into groups.

        Each model's space is searched on its own (images and videos together, sounds apart), with
        ``threshold``, or by default that space's :data:`DUPLICATE_THRESHOLDS` entry.

        Returns
        -------
        list of list of Hit
            Largest groups first; in each, ``cosine`` is the item's highest cosine with another member.
        """
        groups = []
        for model in self.spaces:
            ids = self._ids(model)
            if not len(ids):
                continue
            vectors, _ = self._fetch(ids)
            above = DUPLICATE_THRESHOLDS.get(model, DEFAULT_DUPLICATE_THRESHOLD) if threshold is None else threshold
            pairs = [(int(i), int(j), float(v @ vectors[np.searchsorted(ids, j)]))
                     for i, v, near in zip(ids, vectors, self.backend.neighbours_above(model, vectors, above))
                     for j in near if j != i and j in ids]
            for group in _join(pairs):
                hits = self._hits(np.array(list(group)), np.array(list(group.values())))
                groups.append(sorted(hits, key=lambda h: h.path))
        return sorted(groups, key=lambda g: (-len(g), g[0].path))


def _join(pairs: list[tuple[int, int, float]]) -> list[dict[int, float]]:
    """Pairs ``(i, j, cosine)`` joined into groups (union-find): ``{id: its best cosine in the group}`` each."""
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    best: dict[int, float] = {}
    for i, j, cosine in pairs:
        parent[find(i)] = find(j)
        best[i], best[j] = max(best.get(i, -1.0), cosine), max(best.get(j, -1.0), cosine)
    groups: dict[int, dict[int, float]] = {}
    for i, cosine in best.items():
        groups.setdefault(find(i), {})[i] = cosine
    return list(groups.values())


def _reason(err: Exception) -> str:
    """An exception as one line for the list of skipped files."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return text or type(err).__name__
