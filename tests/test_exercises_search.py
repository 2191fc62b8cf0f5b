"""The checks of chapter 5.8's exercises pass the worked answers and fail wrong ones with a helpful sentence."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from course_utils.exercises.search import check_duplicate_threshold, check_ef_search
from course_utils.image.photos import AUGMENTATIONS, augment, sample_photos
from course_utils.image.registry import load_image_encoder
from course_utils.search import ann
from course_utils.similarity import cosine_similarity_matrix

PHOTOS = ["cat", "coffee", "astronaut", "rocket", "temple", "flower", "galaxies", "cells"]


@pytest.fixture(scope="module")
def hnsw():
    both = ann.clustered_vectors(10_300, 32, n_clusters=50, spread=1.0, seed=0)
    data, queries = both[:10_000], both[10_000:]
    return ann.build_hnsw(data, m=16), data, queries


def _smallest_ef(index, queries, truth, target=0.95):
    """The learner's answer, as the chapter's solution finds it: sweep on its own queries."""
    for ef in range(10, 400, 2):
        if ann.recall_at_k(index.search(queries, 10, params=faiss.SearchParametersHNSW(efSearch=ef))[1],
                           truth) >= target:
            return ef
    raise AssertionError("no efSearch reached the target")


def test_the_swept_ef_search_passes_and_leaves_the_index_alone(hnsw):
    index, data, queries = hnsw
    index.hnsw.efSearch = 16
    ef = _smallest_ef(index, queries, ann.exact_search(data, queries, 10)[1])
    result = check_ef_search(index, data, ef)
    assert result.passed, result.message
    assert index.hnsw.efSearch == 16


def test_too_small_an_ef_search_is_told_to_grow(hnsw):
    index, data, _ = hnsw
    result = check_ef_search(index, data, 1)
    assert not result.passed and "below 0.95" in result.message and "larger efSearch" in result.message


def test_a_wasteful_ef_search_is_told_the_cheaper_value(hnsw):
    index, data, _ = hnsw
    result = check_ef_search(index, data, 500)
    assert not result.passed and "already reaches" in result.message


@pytest.mark.parametrize("index, collection, ef, words", [
    (faiss.IndexFlatIP(32), None, 20, "HNSW index"),
    ("hnsw", np.zeros((5, 32)), 20, "the collection the index holds"),
    ("hnsw", None, 2.5, "positive whole number"),
])
def test_wrong_kinds_of_answer_get_a_sentence(hnsw, index, collection, ef, words):
    index = hnsw[0] if index == "hnsw" else index
    collection = hnsw[1] if collection is None else collection
    result = check_ef_search(index, collection, ef)
    assert not result.passed and words in result.message


@pytest.fixture(scope="module")
def embed():
    encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    cache = {}

    def embed_images(images):
        keys = [img.tobytes() for img in images]
        missing = [img for img, key in zip(images, keys) if key not in cache]
        if missing:
            cache.update(zip([img.tobytes() for img in missing], encoder.embed(missing, batch_size=16)))
        return np.stack([cache[key] for key in keys])

    return embed_images


def test_a_threshold_calibrated_on_other_edits_passes(embed):
    originals = sample_photos(PHOTOS)
    edits = [(n, augment(img, kind, seed=0)) for n, img in originals.items() for kind in AUGMENTATIONS]
    sims = cosine_similarity_matrix(embed([e for _, e in edits]), embed(list(originals.values())))
    same = np.array([[n == m for m in PHOTOS] for n, _ in edits])
    threshold = (sims[same].min() + sims[~same].max()) / 2
    result = check_duplicate_threshold(threshold, embed)
    assert result.passed, result.message


def test_a_threshold_too_high_misses_copies(embed):
    result = check_duplicate_threshold(0.97, embed)
    assert not result.passed and "too high" in result.message and "lowest copy" in result.message


def test_a_threshold_too_low_flags_different_photos(embed):
    result = check_duplicate_threshold(0.1, embed)
    assert not result.passed and "too low" in result.message and "false alarms" in result.message


@pytest.mark.parametrize("threshold", ["0.5", 1.5, True])
def test_a_threshold_that_is_not_a_cosine_gets_a_sentence(threshold):
    result = check_duplicate_threshold(threshold, lambda images: None)
    assert not result.passed and "between -1 and 1" in result.message


def test_an_embedding_function_that_raises_is_reported():
    def broken(images):
        raise RuntimeError("no model")

    result = check_duplicate_threshold(0.5, broken)
    assert not result.passed and "raised RuntimeError: no model" in result.message
