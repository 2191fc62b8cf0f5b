"""Exercise checks accept correct answers and explain typical wrong ones with specifics."""

import numpy as np
import pytest
import torch

from course_utils import audio, sounds
from course_utils.exercises import (
    FAILED_PREFIX,
    PASSED_PREFIX,
    CheckResult,
    check_conv_depth,
    check_edge_kernel,
    check_hardest_edit,
    check_instrument_identifier,
    check_loudness_invariant_mfcc,
    check_nearest_neighbour,
    check_patchify,
    check_scene_cut,
    check_stable_frame_count,
)
from course_utils.similarity import cosine_similarity, cosine_similarity_matrix, top_k
from course_utils.vit import patchify

SR = 22050


def test_result_prints_its_verdict_and_message_and_is_truthy_only_when_passed():
    ok, bad = CheckResult(True, "fine."), CheckResult(False, "look at x.")
    assert repr(ok) == PASSED_PREFIX + "fine." and str(bad) == FAILED_PREFIX + "look at x."
    assert ok and not bad


# ------------------------------------------------------------------ 5.1 (needs the offline image model)

@pytest.fixture(scope="module")
def encoder():
    from course_utils.models import load_image_encoder

    return load_image_encoder("efficientnet_lite0", device="cpu")


@pytest.fixture(scope="module")
def photo_gallery(encoder):
    """A smaller version of the 5.1 gallery: four photos, each with two edits."""
    from course_utils.photos import augment, sample_photos

    originals = sample_photos(["cat", "coffee", "rocket", "flower"])
    images, labels, source = [], [], []
    for i, (name, photo) in enumerate(originals.items()):
        for kind in (None, "flip", "jpeg"):
            images.append(photo if kind is None else augment(photo, kind, seed=i))
            labels.append(name if kind is None else f"{name} ({kind})")
            source.append(name)
    return originals, encoder.embed(images), labels, np.array(source)


def test_nearest_neighbour_accepts_an_embedding_lookup(encoder, photo_gallery):
    originals, G, _, source = photo_gallery

    def lookup(image):
        return source[top_k(encoder.embed_one(image), G, k=1)[0][0, 0]]

    result = check_nearest_neighbour(lookup, originals)
    assert result.passed, result.message
    assert "all 4" in result.message


def test_nearest_neighbour_explains_taking_the_least_similar_row(encoder, photo_gallery):
    originals, G, _, source = photo_gallery

    def farthest(image):
        return source[int(np.argmin(cosine_similarity_matrix(encoder.embed_one(image), G)[0]))]

    result = check_nearest_neighbour(farthest, originals)
    assert not result.passed
    assert "0 of 4" in result.message and "most" in result.message


def test_nearest_neighbour_asks_for_a_name_when_given_an_index(encoder, photo_gallery):
    originals, G, _, _ = photo_gallery
    result = check_nearest_neighbour(lambda image: 0, originals)
    assert not result.passed and "return the photo's name" in result.message


def test_nearest_neighbour_reports_a_raising_lookup():
    from course_utils.photos import sample_photos

    def broken(image):
        raise KeyError("G")

    result = check_nearest_neighbour(broken, sample_photos(["cat"]))
    assert not result.passed and "raised KeyError" in result.message


def test_hardest_edit_recomputes_the_means_from_the_matrix(photo_gallery):
    _, G, labels, _ = photo_gallery
    S = cosine_similarity_matrix(G)
    idx = {label: k for k, label in enumerate(labels)}
    means = {kind: np.mean([S[idx[n], idx[f"{n} ({kind})"]] for n in ("cat", "coffee", "rocket", "flower")])
             for kind in ("flip", "jpeg")}
    hardest, easiest = sorted(means, key=means.get)
    assert check_hardest_edit(hardest, S, labels).passed
    wrong = check_hardest_edit(easiest, S, labels)
    assert not wrong.passed
    assert f"{means[easiest]:.3f}" in wrong.message and "1 edit scores lower" in wrong.message


def test_hardest_edit_follows_the_matrix_it_is_given():
    labels = ["a", "a (flip)", "a (jpeg)"]
    S = np.eye(3)
    S[0, 1] = S[1, 0] = 0.2
    S[0, 2] = S[2, 0] = 0.9
    assert check_hardest_edit("flip", S, labels).passed
    S[0, 1], S[0, 2] = 0.9, 0.2
    assert check_hardest_edit("jpeg", S, labels).passed
    unknown = check_hardest_edit("blur", S, labels)
    assert not unknown.passed and "not one of the gallery's edits" in unknown.message


# ------------------------------------------------------------------ 5.2

def _drop_loudness(y, sr):
    return audio.mfcc_embedding(y, sr)[1:]


def test_loudness_check_accepts_dropping_mfcc0_or_normalising_the_peak():
    assert check_loudness_invariant_mfcc(_drop_loudness, sr=SR).passed
    assert check_loudness_invariant_mfcc(lambda y, sr: audio.mfcc_embedding(y / np.abs(y).max(), sr), sr=SR).passed


def test_loudness_check_points_at_mfcc0_for_the_plain_embedding():
    result = check_loudness_invariant_mfcc(audio.mfcc_embedding, sr=SR)
    assert not result.passed
    assert "Dimension 0 moved most" in result.message and "0.02× volume" in result.message


def test_loudness_check_rejects_an_embedding_that_ignores_everything():
    result = check_loudness_invariant_mfcc(lambda y, sr: np.ones(4), sr=SR)
    assert not result.passed and "no longer tells sounds apart" in result.message


def test_loudness_check_rejects_an_all_zero_embedding_instead_of_passing_on_nan():
    result = check_loudness_invariant_mfcc(lambda y, sr: np.zeros(40), sr=SR)
    assert not result.passed and "all-zero vector" in result.message


def test_loudness_check_rejects_normalising_the_vector_instead_of_the_sound():
    def unit_vector(y, sr):
        e = audio.mfcc_embedding(y, sr)
        return e / np.linalg.norm(e)

    result = check_loudness_invariant_mfcc(unit_vector, sr=SR)
    assert not result.passed and "needs ≥ 0.999" in result.message


def _identifier(embed):
    gallery = sounds.instrument_gallery(sr=SR, seed=0)
    names = list(gallery)
    vectors = np.stack([embed(clip, SR) for clip in gallery.values()])

    def identify(y, sr):
        return names[top_k(embed(y, sr), vectors, k=1)[0][0, 0]]

    return identify


def test_instrument_identifier_passes_with_a_loudness_free_embedding():
    result = check_instrument_identifier(_identifier(_drop_loudness), sr=SR)
    assert result.passed, result.message


def test_instrument_identifier_names_the_quiet_clip_the_plain_mfcc_gets_wrong():
    result = check_instrument_identifier(_identifier(audio.mfcc_embedding), sr=SR)
    assert not result.passed
    assert "very quiet pink noise" in result.message and "ignore loudness" in result.message


def test_instrument_identifier_requires_a_name():
    result = check_instrument_identifier(lambda y, sr: 3, sr=SR)
    assert not result.passed and "return a gallery name" in result.message


# ------------------------------------------------------------------ 5.3

@pytest.fixture(scope="module")
def ball(encoder):
    from course_utils.clips import moving_ball

    clip = moving_ball(12, "up", height=48, width=48)
    return clip, encoder.embed(clip)


def _stable_k(vectors, threshold):
    from course_utils.video import frame_indices

    n = len(vectors)
    ref = vectors.mean(axis=0)
    sims = {K: cosine_similarity(vectors[frame_indices(n, K)].mean(axis=0), ref) for K in range(1, n + 1)}
    return min(K for K in sims if all(sims[j] >= threshold for j in range(K, n + 1))), sims


def test_stable_frame_count_accepts_the_smallest_settled_k_and_explains_others(encoder, ball):
    clip, vectors = ball
    threshold = 0.999
    k, sims = _stable_k(vectors, threshold)
    assert k > 1, "the test clip should need more than one frame"
    result = check_stable_frame_count(k, clip, encoder, threshold=threshold)
    assert result.passed, result.message
    too_few = check_stable_frame_count(k - 1, clip, encoder, threshold=threshold)
    assert not too_few.passed
    assert ("below" in too_few.message) or ("falls back" in too_few.message)
    if k < len(clip):
        too_many = check_stable_frame_count(k + 1, clip, encoder, threshold=threshold)
        assert not too_many.passed and "look for the smallest" in too_many.message


def test_stable_frame_count_rejects_impossible_counts(encoder, ball):
    clip, _ = ball
    for bad in (0, 13, 2.5, True):
        result = check_stable_frame_count(bad, clip, encoder)
        assert not result.passed and "between 1 and 12" in result.message


def test_scene_cut_accepts_lowest_neighbour_similarity_and_explains_off_by_one(encoder):
    def find_cut(frames):
        e = encoder.embed(frames)
        return int(np.argmin([cosine_similarity(e[t], e[t + 1]) for t in range(len(e) - 1)])) + 1

    assert check_scene_cut(find_cut).passed
    off_by_one = check_scene_cut(lambda frames: find_cut(frames) - 1)
    assert not off_by_one.passed and "last frame *before* the cut" in off_by_one.message


def test_scene_cut_is_not_fooled_by_the_first_changed_frame():
    def first_change(frames):
        return next(t for t in range(1, len(frames)) if not np.array_equal(frames[t], frames[t - 1]))

    result = check_scene_cut(first_change)
    assert not result.passed and "lowest* cosine similarity" in result.message


# ------------------------------------------------------------------ 5.4

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_edge_kernel_accepts_the_transposed_sobel_for_horizontal_edges():
    assert check_edge_kernel(SOBEL_X.T).passed
    assert check_edge_kernel(SOBEL_X, direction="vertical").passed


@pytest.mark.parametrize("kernel, phrase", [
    (SOBEL_X, "Is it transposed?"),
    (-SOBEL_X.T, "flip its sign"),
    (np.ones((3, 3)), "weights sum to 9.000"),
    ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "change along the rows"),
    (np.ones((2, 2)), "expected a 3 × 3 array"),
])
def test_edge_kernel_explains_typical_mistakes(kernel, phrase):
    result = check_edge_kernel(kernel)
    assert not result.passed and phrase in result.message


def _unfold_patchify(order):
    def fn(x, p):
        grid = x.unfold(2, p, p).unfold(3, p, p)            # N, C, rows, cols, p, p
        return grid.permute(*order).reshape(x.shape[0], -1, x.shape[1] * p * p)
    return fn


def test_patchify_check_accepts_a_different_but_correct_implementation():
    assert check_patchify(_unfold_patchify((0, 2, 3, 1, 4, 5))).passed
    assert check_patchify(patchify).passed


@pytest.mark.parametrize("fn, phrase", [
    (_unfold_patchify((0, 2, 3, 4, 5, 1)), "(p, p, C) order"),
    (_unfold_patchify((0, 3, 2, 1, 4, 5)), "column by column"),
    (lambda x, p: x.reshape(x.shape[0], -1, x.shape[1] * p * p), "does not hold that patch's pixels"),
    (lambda x, p: x.flatten(2), "expected tokens of shape (2, 6, 768)"),
])
def test_patchify_check_explains_typical_mistakes(fn, phrase):
    result = check_patchify(fn)
    assert not result.passed and phrase in result.message


def test_conv_depth_recomputes_the_receptive_field():
    assert check_conv_depth(7, target=15).passed              # 1 + 2·7 = 15
    assert check_conv_depth(4, target=29, stride=2).passed    # 3, 7, 15, 31
    short = check_conv_depth(6, target=15)
    assert not short.passed and "13 × 13" in short.message
    long = check_conv_depth(8, target=15)
    assert not long.passed and "look for the fewest" in long.message
