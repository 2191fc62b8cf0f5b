"""Cosine similarity never returns NaN silently, and nearest neighbours are ordered."""

import numpy as np
import pytest

from course_utils.similarity import cosine_similarity, cosine_similarity_matrix, top_k


def test_known_angles():
    assert cosine_similarity([1, 0], [0, 1]) == pytest.approx(0.0)
    assert cosine_similarity([1, 0], [-1, 0]) == pytest.approx(-1.0)
    assert cosine_similarity([3, 4], [6, 8]) == pytest.approx(1.0)
    assert cosine_similarity([1, 1], [1, 0]) == pytest.approx(1 / np.sqrt(2))


def test_matches_scikit_learn():
    from sklearn.metrics.pairwise import cosine_similarity as sk

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 7)), rng.normal(size=(3, 7))
    np.testing.assert_allclose(cosine_similarity_matrix(x, y), sk(x, y), atol=1e-12)


def test_zero_vector_raises_instead_of_nan():
    with pytest.raises(ValueError, match="all-zero vector"):
        cosine_similarity([0.0, 0.0], [1.0, 2.0])


def test_nan_input_raises():
    with pytest.raises(ValueError, match="NaN or infinite"):
        cosine_similarity_matrix([[1.0, np.nan]])


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="same length"):
        cosine_similarity([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="different embedding sizes"):
        cosine_similarity_matrix(np.ones((2, 3)), np.ones((2, 4)))


def test_top_k_orders_by_similarity():
    gallery = np.array([[0, 1], [1, 0.1], [1, 1], [-1, 0]])
    idx, sims = top_k([1, 0], gallery, k=3)
    assert idx.tolist() == [[1, 2, 0]]
    assert sims[0, 0] > sims[0, 1] > sims[0, 2]


def test_top_k_rejects_bad_k():
    with pytest.raises(ValueError, match="between 1 and the gallery size"):
        top_k([1, 0], [[1, 0]], k=2)


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e-320])
def test_similarity_does_not_depend_on_the_vectors_scale(scale):
    # [1, 0] and [1, 1] meet at 45°, whatever their length: cos 45° = 1/√2
    a, b = np.array([1.0, 0.0]) * scale, np.array([1.0, 1.0]) * scale
    assert cosine_similarity(a, b) == pytest.approx(1 / np.sqrt(2), rel=1e-12)
    np.testing.assert_allclose(cosine_similarity_matrix(np.stack([a, b])), [[1, 1 / np.sqrt(2)], [1 / np.sqrt(2), 1]])
    idx, sims = top_k(a, np.stack([b, a]), k=2)
    assert idx.tolist() == [[1, 0]] and sims[0, 1] == pytest.approx(1 / np.sqrt(2))


def test_tiny_but_nonzero_vector_is_not_called_all_zero():
    assert cosine_similarity([1e-200, 0.0], [1.0, 0.0]) == pytest.approx(1.0)


def test_true_all_zero_row_still_raises_in_a_matrix():
    with pytest.raises(ValueError, match="row 1 is an all-zero vector"):
        cosine_similarity_matrix([[1.0, 2.0], [0.0, 0.0]])


def test_top_k_accepts_numpy_integers_and_refuses_floats_and_bools():
    idx, _ = top_k([1, 0], [[0, 1], [1, 0]], k=np.int64(1))
    assert idx.tolist() == [[1]]
    for bad in (1.5, True):
        with pytest.raises(TypeError, match="expected k as an integer"):
            top_k([1, 0], [[0, 1], [1, 0]], k=bad)


@pytest.mark.parametrize(
    "call",
    [
        lambda: cosine_similarity([1j, 1], [1, 1]),
        lambda: cosine_similarity_matrix(np.array([[1j, 1.0]])),
        lambda: top_k([1, 1], np.array([[1j, 1.0], [1.0, 0.0]]), k=1),
    ],
)
def test_complex_vectors_are_refused_not_read_as_their_real_part(call):
    # cosine_similarity([1j, 1], [1, 1]) used to return 0.707, dropping the imaginary part
    with pytest.raises(TypeError, match=r"as real numbers, got complex values"):
        call()


def test_top_k_needs_a_gallery():
    # gallery=None used to compare the query with itself
    with pytest.raises(TypeError, match="expected gallery as an array"):
        top_k([1.0, 0.0], None)
