"""Measurement helpers of chapter 5.8: recall against exact search, memory, builders and test collections."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from course_utils.search import ann


def test_unit_rows_have_length_one_and_zero_rows_are_refused():
    x = ann.unit_rows(np.array([[3.0, 4.0], [0.0, -2.0]]))
    assert x.dtype == np.float32 and x.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(x, [[0.6, 0.8], [0.0, -1.0]], atol=1e-7)
    with pytest.raises(ValueError, match="1 zero rows"):
        ann.unit_rows(np.array([[1.0, 0.0], [0.0, 0.0]]))


def test_exact_search_finds_the_largest_inner_products():
    rng = np.random.default_rng(3)
    data, queries = rng.standard_normal((500, 16)), rng.standard_normal((7, 16))
    scores, ids = ann.exact_search(data, queries, k=5)
    expected = np.argsort(-(queries @ data.T), axis=1)[:, :5]
    np.testing.assert_array_equal(ids, expected)
    np.testing.assert_allclose(scores, np.sort(queries @ data.T, axis=1)[:, ::-1][:, :5], rtol=1e-5)


def test_exact_search_refuses_queries_of_another_dimension():
    with pytest.raises(ValueError, match="8 columns like data, got 4"):
        ann.exact_search(np.ones((10, 8)), np.ones((2, 4)), k=3)


@pytest.mark.parametrize("found, truth, expected", [
    ([[1, 2, 3]], [[3, 1, 2]], 1.0),          # order does not matter
    ([[4, 5, 6]], [[1, 2, 3]], 0.0),
    ([[1, 9, -1], [7, 8, 9]], [[1, 2, 3], [9, 8, 0]], 3 / 6),  # -1: fewer than k found
])
def test_recall_counts_the_true_neighbours_returned(found, truth, expected):
    assert ann.recall_at_k(np.array(found), np.array(truth)) == pytest.approx(expected)


def test_recall_refuses_results_of_different_shapes():
    with pytest.raises(ValueError, match=r"same non-empty shape, got \(1, 2\) and \(1, 3\)"):
        ann.recall_at_k(np.array([[1, 2]]), np.array([[1, 2, 3]]))


def test_generators_repeat_with_a_seed_and_change_with_another():
    for make in (lambda s: ann.isotropic_vectors(50, 8, seed=s),
                 lambda s: ann.clustered_vectors(50, 8, n_clusters=3, spread=0.5, seed=s)):
        np.testing.assert_array_equal(make(0), make(0))
        assert not np.allclose(make(0), make(1))
        np.testing.assert_allclose(np.linalg.norm(make(0), axis=1), 1, atol=1e-6)


def test_spread_sets_how_close_the_members_of_a_cluster_are():
    # centre + noise of length s: two members have cosine about 1 / (1 + s**2); random vectors about 0
    def mean_pair_cosine(x):
        s = x @ x.T
        return (s.sum() - np.trace(s)) / (len(x) * (len(x) - 1))

    one_cluster = ann.clustered_vectors(1000, 64, n_clusters=1, spread=1.0, seed=0)
    assert mean_pair_cosine(one_cluster) == pytest.approx(0.5, abs=0.05)
    assert mean_pair_cosine(ann.isotropic_vectors(1000, 64, seed=0)) == pytest.approx(0.0, abs=0.05)


def test_real_like_vectors_keep_the_main_direction_of_the_reference():
    rng = np.random.default_rng(0)
    axis = np.zeros(10)
    axis[3] = 1.0
    reference = rng.standard_normal((3000, 10)) * 0.1 + np.outer(rng.standard_normal(3000), axis) * 3
    fake = ann.real_like_vectors(reference, 3000, seed=1)
    top = np.linalg.svd(fake - fake.mean(axis=0), full_matrices=False)[2][0]
    assert abs(top[3]) > 0.95
    with pytest.raises(ValueError, match="at least 2 rows"):
        ann.real_like_vectors(reference[:1], 10, seed=0)


def test_glove_words_come_with_their_vectors():
    words, vectors = ann.load_glove(20_000)
    assert len(words) == 20_000 and vectors.shape == (20_000, 50)
    king = words.index("king")
    nearest = [words[i] for i in np.argsort(-(vectors @ vectors[king]))[1:11]]
    assert "queen" in nearest or "prince" in nearest, nearest


def test_index_bytes_grow_by_four_bytes_per_number():
    small, large = faiss.IndexFlatIP(16), faiss.IndexFlatIP(16)
    small.add(np.zeros((10, 16), np.float32))
    large.add(np.zeros((30, 16), np.float32))
    assert ann.index_bytes(large) - ann.index_bytes(small) == 20 * 16 * 4
    with pytest.raises(TypeError, match="expected index as a faiss index, got ndarray"):
        ann.index_bytes(np.zeros(3))


def test_hnsw_finds_nearly_every_neighbour_with_a_wide_search():
    data = ann.clustered_vectors(3000, 16, n_clusters=10, spread=1.0, seed=0)
    queries = ann.clustered_vectors(50, 16, n_clusters=10, spread=1.0, seed=1)
    _, truth = ann.exact_search(data, queries, 10)
    index = ann.build_hnsw(data, m=16)
    _, found = index.search(queries, 10, params=faiss.SearchParametersHNSW(efSearch=256))
    assert ann.recall_at_k(found, truth) >= 0.99


def test_ivf_builds_are_the_same_with_the_same_seed():
    data = ann.isotropic_vectors(10_000, 16, seed=0)  # PQ wants 39 points per code (256 codes)
    params = faiss.SearchParametersIVF(nprobe=2)
    for pq_bytes in (None, 4):
        a = ann.build_ivf(data, nlist=32, seed=5, pq_bytes=pq_bytes).search(data[:20], 5, params=params)
        b = ann.build_ivf(data, nlist=32, seed=5, pq_bytes=pq_bytes).search(data[:20], 5, params=params)
        np.testing.assert_array_equal(a[1], b[1])


def test_ivf_with_every_cell_scanned_is_exact():
    data = ann.isotropic_vectors(2000, 16, seed=0)
    _, truth = ann.exact_search(data, data[:30], 10)
    _, found = ann.build_ivf(data, nlist=16, seed=0).search(data[:30], 10,
                                                            params=faiss.SearchParametersIVF(nprobe=16))
    assert ann.recall_at_k(found, truth) == 1.0


def test_pq_bytes_must_divide_the_dimension():
    with pytest.raises(ValueError, match="divides the dimension 16, got 5"):
        ann.build_ivf(ann.isotropic_vectors(500, 16, seed=0), nlist=4, seed=0, pq_bytes=5)


def test_builds_leave_faiss_thread_count_as_it_was():
    before = faiss.omp_get_max_threads()
    ann.build_hnsw(ann.isotropic_vectors(100, 8, seed=0), m=4)
    assert faiss.omp_get_max_threads() == before


@pytest.mark.parametrize("call, message", [
    (lambda: ann.isotropic_vectors(0, 8, seed=0), "n"),
    (lambda: ann.clustered_vectors(10, 8, n_clusters=2, spread=-1.0, seed=0), "spread"),
    (lambda: ann.load_glove(0), "n"),
    (lambda: ann.queries_per_second(faiss.IndexFlatIP(4), np.ones((2, 4)), 1, repeats=0), "repeats"),
])
def test_bad_arguments_get_one_sentence_naming_them(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()
