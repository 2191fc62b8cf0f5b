"""Checks for chapter 5.8 (search at scale)."""

from __future__ import annotations

from typing import Callable

import faiss
import numpy as np

from course_utils.exercises.base import CheckResult, answer_problem, run_answer
from course_utils.image.photos import AUGMENTATIONS, augment, sample_photos
from course_utils.search.ann import exact_search, recall_at_k, unit_rows
from course_utils.similarity import cosine_similarity_matrix
from course_utils.validation import check_array, check_scalar

#: Seconds a learner's embedding function may run on the check's photos before it is stopped.
EMBEDDING_SECONDS = 300
#: The efSearch values the check tries when it looks for the cheapest one that is accurate enough.
EF_GRID = tuple(range(10, 64, 2)) + tuple(range(64, 513, 16))
#: Seed of the 300 collection vectors the check uses as queries.
_QUERY_SEED = 7
#: The photos and edit seeds the threshold is tested on (the chapter calibrates on seeds 0-2 only).
PHOTOS = ("cat", "coffee", "astronaut", "rocket", "temple", "flower", "galaxies", "cells")
HELD_OUT_SEEDS = (11, 12)
#: Recall and precision a threshold must reach on the held-out edits.
DUPLICATE_TARGET = 0.95


def _others(ids: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` first ids other than the query's own (a query drawn from the collection finds itself)."""
    return np.array([[i for i in found if i != row][:k] for found, row in zip(ids, rows)])


def check_ef_search(index: faiss.IndexHNSW, collection: np.ndarray, ef_search: int,
                    target: float = 0.95, k: int = 10) -> CheckResult:
    """Check that ``ef_search`` is the cheapest efSearch of an HNSW ``index`` reaching recall@``k`` ``target``.

    The check draws 300 fresh queries from the collection itself (leave-one-out: each query's own vector
    is not counted as a neighbour), finds their true neighbours by exact search, and measures recall at
    ``ef_search`` and on a grid of values (:data:`EF_GRID`). It passes when ``ef_search`` reaches ``target``
    and is at most twice the smallest value of the grid that does (search time grows with efSearch).
    The index is not changed.
    """
    target = check_scalar(target, "target", float, min_val=0.0, max_val=1.0, include_boundaries="right")
    if not isinstance(index, faiss.IndexHNSW):
        return CheckResult(False, f"expected the chapter's HNSW index (faiss.IndexHNSWFlat), got "
                                  f"{type(index).__name__}.")
    data = check_array(collection, "collection", ndim=2)
    if data.shape != (index.ntotal, index.d):
        return CheckResult(False, f"expected the collection the index holds, shape ({index.ntotal}, {index.d}), "
                                  f"got {data.shape}.")
    if isinstance(ef_search, bool) or not isinstance(ef_search, (int, np.integer)) or ef_search < 1:
        return CheckResult(False, f"expected efSearch as a positive whole number, got {ef_search!r}.")
    rows = np.random.default_rng(_QUERY_SEED).choice(len(data), size=300, replace=False)
    queries = unit_rows(data[rows])
    truth = _others(exact_search(data, queries, k + 1)[1], rows, k)

    def recall(ef: int) -> float:
        found = index.search(queries, k + 1, params=faiss.SearchParametersHNSW(efSearch=int(ef)))[1]
        return recall_at_k(_others(found, rows, k), truth)

    yours = recall(ef_search)
    cheapest = next((ef for ef in EF_GRID if recall(ef) >= target), None)
    where = f"recall@{k} on 300 fresh queries (leave-one-out)"
    if yours < target:
        return CheckResult(False, f"efSearch={ef_search} gives {where} of {yours:.3f}, below {target:.2f}: "
                                  "keep more candidates (a larger efSearch).")
    if cheapest is not None and ef_search > 2 * cheapest:
        return CheckResult(False, f"efSearch={ef_search} gives {where} of {yours:.3f}, but efSearch={cheapest} "
                                  f"already reaches {recall(cheapest):.3f}: every extra candidate costs time. "
                                  "Stop the sweep at the first value that reaches the target.")
    return CheckResult(True, f"efSearch={ef_search} gives {where} of {yours:.3f} (target {target:.2f}); the "
                             f"smallest value that reaches it there is {cheapest}.")


def _held_out_pairs(embed_images: Callable) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of every held-out edit with every original photo, and whether the pair is the same photo."""
    originals = sample_photos(list(PHOTOS))
    edits = [(name, augment(img, kind, seed=s)) for s in HELD_OUT_SEEDS for name, img in originals.items()
             for kind in AUGMENTATIONS]
    o = np.asarray(embed_images(list(originals.values())), dtype=np.float64)
    e = np.asarray(embed_images([img for _, img in edits]), dtype=np.float64)
    same = np.array([[name == other for other in PHOTOS] for name, _ in edits])
    return cosine_similarity_matrix(e, o).ravel(), same.ravel()


def check_duplicate_threshold(threshold: float, embed_images: Callable) -> CheckResult:
    """Check a near-duplicate threshold on edits the chapter never made.

    Each of the eight photos is edited anew (every edit kind, seeds :data:`HELD_OUT_SEEDS`); every edit is
    compared with every original, and a pair at or above ``threshold`` is flagged. The threshold passes
    when both the recall (copies flagged) and the precision (flags that are copies) reach
    :data:`DUPLICATE_TARGET`.

    Parameters
    ----------
    threshold : float
        A cosine in [-1, 1].
    embed_images : callable
        ``embed_images(list of PIL images) -> (N, D)`` embeddings (the chapter's encoder).
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating, np.integer)) \
            or not -1 <= float(threshold) <= 1:
        return CheckResult(False, f"expected a threshold as one cosine between -1 and 1, got {threshold!r}.")
    problem = answer_problem("embedding function", embed_images, [])
    if problem is not None:
        return problem
    measured, failed = run_answer("embedding function", EMBEDDING_SECONDS, lambda: _held_out_pairs(embed_images))
    if failed is not None:
        return failed
    sims, same = measured
    flagged = sims >= threshold
    recall = (flagged & same).sum() / same.sum()
    precision = (flagged & same).sum() / max(flagged.sum(), 1)
    scores = (f"on {same.sum()} new edited copies against the {len(PHOTOS)} originals, threshold "
              f"{float(threshold):.3f} flags {recall:.0%} of the copies (recall {recall:.3f}) with precision "
              f"{precision:.3f} ({(flagged & ~same).sum()} false alarms)")
    if recall < DUPLICATE_TARGET:
        return CheckResult(False, f"{scores}: too high. The lowest copy scores {sims[same].min():.3f}; "
                                  "calibrate on the lowest near-duplicate, not the typical one.")
    if precision < DUPLICATE_TARGET:
        return CheckResult(False, f"{scores}: too low. The highest pair of different photos scores "
                                  f"{sims[~same].max():.3f}; stay above the unrelated pairs.")
    return CheckResult(True, f"{scores}.")
