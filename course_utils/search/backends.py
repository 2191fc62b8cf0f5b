"""Where the vectors of a search index live and where its searches run: faiss files or Qdrant.

SQLite (:mod:`course_utils.search.store`) is the source of truth; a backend holds a copy of its vectors,
one collection per model, keyed by the SQLite row ids, and is brought back in line with SQLite by
:meth:`sync` whenever they differ (after a killed run, a deleted or damaged faiss file, a new Qdrant folder).
Vectors are unit length, so the inner product is the cosine.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Union

import numpy as np

from course_utils.errors import SearchError

__all__ = ["FaissBackend", "QdrantBackend", "VectorBackend"]

#: ``fetch(ids)`` gives the stored ``(len(ids), dim)`` vectors of those row ids, in that order, and their payloads.
Fetch = Callable[[np.ndarray], tuple[np.ndarray, list[dict]]]


class FaissBackend:
    """One ``faiss.IndexIDMap2(faiss.IndexFlatIP(dim))`` per model, saved as ``<folder>/<model>.faiss``.

    Exact search (a flat index compares the query with every vector). Files are written atomically
    (a temporary file, then ``os.replace``), so a killed run leaves the previous file whole.
    """

    def __init__(self, folder: Path):
        import faiss
        self._faiss = faiss
        self.folder = folder
        self.indexes: dict[str, object] = {}
        self.changed: set[str] = set()
        self.notes: list[str] = []

    def _file(self, model: str) -> Path:
        return self.folder / f"{model}.faiss"

    def _empty(self, dim: int):
        return self._faiss.IndexIDMap2(self._faiss.IndexFlatIP(dim))

    def sync(self, model: str, dim: int, ids: np.ndarray, fetch: Fetch) -> None:
        """Load ``model``'s file, or rebuild it from SQLite when it is missing, damaged or out of date."""
        path, index = self._file(model), None
        if path.exists():
            try:
                index = self._faiss.read_index(str(path))
            except RuntimeError:
                self.notes.append(f"{path} is damaged; searching a copy rebuilt from the SQLite table "
                                  "(the next course search index writes the file again)")
        if index is not None and (index.d != dim or not hasattr(index, "id_map")
                                  or not np.array_equal(np.sort(self._faiss.vector_to_array(index.id_map)), ids)):
            index = None   # a run was stopped before it could save the file: SQLite has moved on
        if index is None:
            index = self._empty(dim)
            if len(ids):
                index.add_with_ids(fetch(ids)[0], ids)
            self.changed.add(model)
        self.indexes[model] = index

    def add(self, model: str, ids: np.ndarray, vectors: np.ndarray, payloads: list[dict]) -> None:
        """Add vectors under their row ids (``payloads`` are kept in SQLite only)."""
        self.indexes.setdefault(model, self._empty(vectors.shape[1])).add_with_ids(vectors, ids)
        self.changed.add(model)

    def remove(self, model: str, ids: np.ndarray) -> None:
        """Remove these row ids from ``model``'s index."""
        if model in self.indexes and len(ids):
            self.indexes[model].remove_ids(np.asarray(ids, dtype=np.int64))
            self.changed.add(model)

    def search(self, model: str, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest row ids and their cosines, best first."""
        cosines, ids = self.indexes[model].search(vector[None, :], k)
        keep = ids[0] >= 0
        return ids[0][keep], cosines[0][keep]

    def neighbours_above(self, model: str, vectors: np.ndarray, threshold: float) -> list[np.ndarray]:
        """For each vector, the row ids whose cosine with it is at least ``threshold``."""
        lims, _, ids = self.indexes[model].range_search(vectors, threshold)
        return [ids[lims[i]:lims[i + 1]] for i in range(len(vectors))]

    def save(self) -> None:
        """Write every changed index to its file atomically."""
        for model in sorted(self.changed):
            path = self._file(model)
            temp = path.with_name(path.name + ".tmp")
            self._faiss.write_index(self.indexes[model], str(temp))
            os.replace(temp, path)
        self.changed.clear()

    def close(self) -> None:
        """Nothing to release: the files are written by :meth:`save`."""


class QdrantBackend:
    """One Qdrant collection per model (cosine distance), points keyed by SQLite row id, payload path and modality.

    ``path`` opens Qdrant's local mode: the ``qdrant-client`` package alone, no server, data in a folder,
    searches by brute force, meant for small collections. ``url`` talks to a running Qdrant server.
    """

    def __init__(self, path: Path | None = None, url: str | None = None):
        from qdrant_client import QdrantClient, models
        self._models = models
        self.notes: list[str] = []
        try:
            self.client = QdrantClient(path=str(path)) if url is None else QdrantClient(url=url)
        except RuntimeError as err:   # local mode locks its folder
            raise SearchError(f"cannot open the Qdrant folder {path}: {str(err).splitlines()[0]}") from None

    def _ids(self, model: str) -> np.ndarray:
        found, offset = [], None
        while True:
            points, offset = self.client.scroll(model, limit=10_000, offset=offset, with_payload=False,
                                                with_vectors=False)
            found.extend(int(p.id) for p in points)
            if offset is None:
                return np.array(sorted(found), dtype=np.int64)

    def sync(self, model: str, dim: int, ids: np.ndarray, fetch: Fetch) -> None:
        """Create ``model``'s collection if needed, then add the points SQLite has and remove those it has not."""
        if not self.client.collection_exists(model):
            self.client.create_collection(model, vectors_config=self._models.VectorParams(
                size=dim, distance=self._models.Distance.COSINE))
        held = self._ids(model)
        extra = np.setdiff1d(held, ids)
        missing = np.setdiff1d(ids, held)
        self.remove(model, extra)
        if len(missing):
            self.add(model, missing, *fetch(missing))

    def add(self, model: str, ids: np.ndarray, vectors: np.ndarray, payloads: list[dict]) -> None:
        """Upsert points: id, vector, payload."""
        points = [self._models.PointStruct(id=int(i), vector=v.tolist(), payload=p)
                  for i, v, p in zip(ids, vectors, payloads)]
        self.client.upsert(model, points=points)

    def remove(self, model: str, ids: np.ndarray) -> None:
        """Delete these point ids."""
        if len(ids):
            self.client.delete(model, points_selector=self._models.PointIdsList(points=[int(i) for i in ids]))

    def search(self, model: str, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest point ids and their cosines, best first."""
        points = self.client.query_points(model, query=vector.tolist(), limit=k).points
        return np.array([p.id for p in points], dtype=np.int64), np.array([p.score for p in points])

    def neighbours_above(self, model: str, vectors: np.ndarray, threshold: float) -> list[np.ndarray]:
        """For each vector, the point ids whose cosine with it is at least ``threshold``."""
        total = self.client.count(model).count
        return [np.array([p.id for p in self.client.query_points(model, query=v.tolist(), limit=total,
                                                                 score_threshold=threshold).points], dtype=np.int64)
                for v in vectors]

    def save(self) -> None:
        """Nothing to do: Qdrant stores each upsert as it happens."""

    def close(self) -> None:
        """Release the local folder's lock (or the connection)."""
        self.client.close()


#: Either backend: :class:`~course_utils.search.store.SearchIndex` calls only the methods both have.
VectorBackend = Union[FaissBackend, QdrantBackend]
