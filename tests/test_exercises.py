"""Exercise checks accept correct answers, explain typical wrong ones with specifics, and never raise,
hang or pass on NaN for a bad answer.

The checks' logic does not depend on the model, so these tests give them cheap, deterministic
embeddings (grey-level histograms, pooled pixels, a table of vectors) instead of loading a CNN;
the chapter notebooks (nbval) run the same checks with the course's real encoder.
"""

import math
import signal

import numpy as np
import pytest
import torch
from PIL import ImageOps

from course_utils import audio
from course_utils.audio import sounds
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
from course_utils.exercises import audio as audio_checks
from course_utils.exercises import images as image_checks
from course_utils.exercises import video as video_checks
from course_utils.exercises import visual_models as visual_checks
from course_utils.image.io import to_rgb_image
from course_utils.image.photos import augment, sample_photos
from course_utils.image.registry import load_image_encoder
from course_utils.similarity import cosine_similarity, cosine_similarity_matrix, top_k
from course_utils.video import frame_indices
from course_utils.visual_models.receptive_field import receptive_fields
from course_utils.visual_models.vit import patchify

SR = 22050


def test_result_prints_its_verdict_and_message_and_is_truthy_only_when_passed():
    ok, bad = CheckResult(True, "fine."), CheckResult(False, "look at x.")
    assert repr(ok) == PASSED_PREFIX + "fine." and str(bad) == FAILED_PREFIX + "look at x."
    assert ok and not bad


# ------------------------------------------------------------------ 5.1

def grey_histogram(image):
    """A cheap image embedding that ignores mirroring and colour: 16 grey-level bins."""
    grey = np.asarray(to_rgb_image(image).convert("L"), dtype=np.float64)
    return np.histogram(grey, bins=16, range=(0, 256))[0] / grey.size + 1e-3


@pytest.fixture(scope="module")
def photo_gallery():
    """A smaller version of the 5.1 gallery: four photos, each with two edits, embedded as histograms."""
    originals = sample_photos(["cat", "coffee", "rocket", "flower"])
    images, labels, source = [], [], []
    for i, (name, photo) in enumerate(originals.items()):
        for kind in (None, "flip", "jpeg"):
            images.append(photo if kind is None else augment(photo, kind, seed=i))
            labels.append(name if kind is None else f"{name} ({kind})")
            source.append(name)
    return originals, np.stack([grey_histogram(im) for im in images]), labels, np.array(source)


def test_nearest_neighbour_accepts_an_embedding_lookup(photo_gallery):
    originals, G, _, source = photo_gallery

    def lookup(image):
        return source[top_k(grey_histogram(image), G, k=1)[0][0, 0]]

    result = check_nearest_neighbour(lookup, originals)
    assert result.passed, result.message
    assert "all 4" in result.message


def test_nearest_neighbour_explains_taking_the_least_similar_row(photo_gallery):
    originals, G, _, source = photo_gallery

    def farthest(image):
        return source[int(np.argmin(cosine_similarity_matrix(grey_histogram(image), G)[0]))]

    result = check_nearest_neighbour(farthest, originals)
    assert not result.passed
    assert "0 of 4" in result.message and "most" in result.message


def test_nearest_neighbour_rejects_a_constant_name_that_ignores_the_image(photo_gallery):
    # "cat", the exercise text's example name, is right for one photo of four
    originals, _, _, _ = photo_gallery
    result = check_nearest_neighbour(lambda image: "cat", originals)
    assert not result.passed
    assert "1 of 4" in result.message and "coffee → 'cat'" in result.message and "embed the query" in result.message


def test_nearest_neighbour_asks_for_a_name_when_given_an_index(photo_gallery):
    originals, G, _, _ = photo_gallery
    result = check_nearest_neighbour(lambda image: 0, originals)
    assert not result.passed and "return the photo's name" in result.message


def test_nearest_neighbour_reports_a_raising_lookup():
    def broken(image):
        raise KeyError("G")

    result = check_nearest_neighbour(broken, sample_photos(["cat"]))
    assert not result.passed and "raised KeyError" in result.message


def test_nearest_neighbour_stops_a_lookup_that_never_returns(monkeypatch):
    monkeypatch.setattr(image_checks, "ANSWER_SECONDS", 0.5)
    result = check_nearest_neighbour(forever, sample_photos(["cat"]))
    assert not result.passed and "lookup function ran for more than 0.5 s and was stopped" in result.message


class PooledPixels:
    """A cheap encoder for the 5.1 checks: each image shrunk to 4 × 4 RGB, mean removed."""

    def embed(self, images):
        vectors = [np.asarray(to_rgb_image(im).resize((4, 4)), dtype=np.float64).ravel() for im in images]
        return np.stack([v - v.mean() for v in vectors])


@pytest.fixture(scope="module")
def edit_exercise():
    """Exercise 2 of 5.1 answered by hand with PooledPixels: (originals, S, labels, mean cosine per edit)."""
    originals = sample_photos(["cat", "coffee", "rocket"])
    images, labels = [], []
    for name, photo in originals.items():
        images += [photo, ImageOps.grayscale(photo).convert("RGB"), photo.rotate(90, expand=True)]
        labels += [name, f"{name} (grey)", f"{name} (rotate)"]
    S = cosine_similarity_matrix(PooledPixels().embed(images))
    means = {kind: np.mean([S[3 * i, 3 * i + k] for i in range(3)]) for k, kind in ((1, "grey"), (2, "rotate"))}
    return originals, S, labels, means


def test_hardest_edit_accepts_the_lowest_mean_and_explains_the_other(edit_exercise):
    originals, S, labels, means = edit_exercise
    hardest, easiest = sorted(means, key=means.get)
    assert check_hardest_edit(hardest, S, labels, PooledPixels(), originals).passed
    wrong = check_hardest_edit(easiest, S, labels, PooledPixels(), originals)
    assert not wrong.passed
    assert f"{means[easiest]:.3f}" in wrong.message and f"{hardest} copies score lower" in wrong.message


@pytest.mark.parametrize("answer", ["grey", "rotate"])
def test_hardest_edit_rejects_an_identity_matrix_whatever_the_answer(edit_exercise, answer):
    # An identity matrix makes every mean 0, a tie that a check trusting S would accept for any edit.
    originals, S, labels, _ = edit_exercise
    result = check_hardest_edit(answer, np.eye(len(labels)), labels, PooledPixels(), originals)
    assert not result.passed and "embedding the two with the encoder gives" in result.message


def test_hardest_edit_rejects_a_matrix_with_the_copies_swapped(edit_exercise):
    originals, S, labels, means = edit_exercise
    swapped = [label.replace("grey", "tmp").replace("rotate", "grey").replace("tmp", "rotate") for label in labels]
    result = check_hardest_edit(min(means, key=means.get), S, swapped, PooledPixels(), originals)
    assert not result.passed and "your similarity matrix gives" in result.message


def test_hardest_edit_names_a_missing_copy_and_an_unknown_edit(edit_exercise):
    originals, S, labels, _ = edit_exercise
    short = check_hardest_edit("grey", S[:-1, :-1], labels[:-1], PooledPixels(), originals)
    assert not short.passed and "'rocket (rotate)'" in short.message
    unknown = check_hardest_edit("blur", S, labels, PooledPixels(), originals)
    assert not unknown.passed and "not one of the exercise's edits" in unknown.message


def test_hardest_edit_rejects_jpeg_the_chapters_answer_for_its_four_other_edits(edit_exercise):
    originals, S, labels, _ = edit_exercise
    result = check_hardest_edit("jpeg", S, labels, PooledPixels(), originals)
    assert not result.passed and "'jpeg' is not one of the exercise's edits" in result.message


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


def test_instrument_identifier_rejects_a_constant_name_that_ignores_the_clip():
    result = check_instrument_identifier(lambda y, sr: "flute", sr=SR)
    assert not result.passed
    assert "1 of 5 clips named correctly" in result.message and "a quiet clarinet → 'flute'" in result.message


def test_instrument_identifier_requires_a_name():
    result = check_instrument_identifier(lambda y, sr: 3, sr=SR)
    assert not result.passed and "return a gallery name" in result.message


def forever(*args):
    while True:
        pass


@pytest.mark.parametrize("check", [check_loudness_invariant_mfcc, check_instrument_identifier])
def test_audio_checks_stop_an_answer_that_never_returns(monkeypatch, check):
    monkeypatch.setattr(audio_checks, "ANSWER_SECONDS", 0.5)
    result = check(forever, sr=SR)
    assert not result.passed and "ran for more than 0.5 s and was stopped" in result.message


# ------------------------------------------------------------------ 5.3

class TableEncoder:
    """An encoder whose frame t embeds as ``vectors[t]``: frame t is an array filled with t."""

    def __init__(self, vectors):
        self.vectors = np.asarray(vectors, dtype=np.float64)

    def embed(self, frames):
        return np.stack([self.vectors[int(np.asarray(f).flat[0])] for f in frames])


def table_clip(n):
    return np.stack([np.full((2, 2, 3), t, dtype=np.uint8) for t in range(n)])


@pytest.fixture(scope="module")
def wobbly():
    """Twelve frame embeddings whose mean settles late and with a dip (K = 7 passes 0.995, K = 8 does not)."""
    vectors = np.random.default_rng(2).normal(size=(12, 8)) + 2.0
    return table_clip(12), TableEncoder(vectors), vectors


def _stable_k(vectors, threshold):
    n = len(vectors)
    ref = vectors.mean(axis=0)
    sims = {K: cosine_similarity(vectors[frame_indices(n, K)].mean(axis=0), ref) for K in range(1, n + 1)}
    return min(K for K in sims if all(sims[j] >= threshold for j in range(K, n + 1))), sims


def test_stable_frame_count_accepts_the_smallest_settled_k_and_explains_others(wobbly):
    clip, encoder, vectors = wobbly
    threshold = 0.995
    k, sims = _stable_k(vectors, threshold)
    assert 1 < k < len(clip), "the test clip should settle after more than one frame and before the last"
    result = check_stable_frame_count(k, clip, encoder, threshold=threshold)
    assert result.passed, result.message
    too_few = check_stable_frame_count(k - 1, clip, encoder, threshold=threshold)
    assert not too_few.passed and "below" in too_few.message
    dips = [K for K in range(1, k) if sims[K] >= threshold]
    assert dips, "the test clip should reach the threshold once before it settles"
    early = check_stable_frame_count(dips[0], clip, encoder, threshold=threshold)
    assert not early.passed and "falls back" in early.message
    too_many = check_stable_frame_count(k + 1, clip, encoder, threshold=threshold)
    assert not too_many.passed and "look for the smallest" in too_many.message


def test_stable_frame_count_rejects_impossible_counts(wobbly):
    clip, encoder, _ = wobbly
    for bad in (0, 13, 2.5, True, None, float("nan")):
        result = check_stable_frame_count(bad, clip, encoder)
        assert not result.passed and "between 1 and 12" in result.message


@pytest.mark.parametrize("threshold", [float("nan"), float("inf"), 1.0, 0.0, -0.5, 2])
def test_stable_frame_count_refuses_a_threshold_outside_0_to_1_with_a_clear_error(wobbly, threshold):
    clip, encoder, _ = wobbly
    with pytest.raises(ValueError, match="threshold"):
        check_stable_frame_count(3, clip, encoder, threshold=threshold)


def test_stable_frame_count_refuses_a_threshold_that_is_not_a_number(wobbly):
    clip, encoder, _ = wobbly
    with pytest.raises(TypeError, match="expected threshold as a number, got '0.9' \\(str\\)"):
        check_stable_frame_count(3, clip, encoder, threshold="0.9")


def test_stable_frame_count_refuses_frames_that_are_not_a_clip(wobbly):
    _, encoder, _ = wobbly
    with pytest.raises(TypeError, match="expected frames as a numpy array or a list of arrays, got int"):
        check_stable_frame_count(1, 5, encoder)
    with pytest.raises(ValueError, match="expected a non-empty clip"):
        check_stable_frame_count(1, np.zeros((0, 2, 2, 3), dtype=np.uint8), encoder)


def pooled_pixels(frames, grid=4):
    f = np.asarray(frames, dtype=np.float64) / 255
    n, h, w, c = f.shape
    f = f[:, :h // grid * grid, :w // grid * grid]
    return f.reshape(n, grid, h // grid, grid, w // grid, c).mean(axis=(2, 4)).reshape(n, -1)


def test_scene_cut_accepts_lowest_neighbour_similarity_and_explains_off_by_one():
    def find_cut(frames):
        e = pooled_pixels(frames)
        return int(np.argmin([cosine_similarity(e[t], e[t + 1]) for t in range(len(e) - 1)])) + 1

    assert check_scene_cut(find_cut).passed
    off_by_one = check_scene_cut(lambda frames: find_cut(frames) - 1)
    assert not off_by_one.passed and "last frame *before* the cut" in off_by_one.message


def test_scene_cut_is_not_fooled_by_the_first_changed_frame():
    def first_change(frames):
        return next(t for t in range(1, len(frames)) if not np.array_equal(frames[t], frames[t - 1]))

    result = check_scene_cut(first_change)
    assert not result.passed and "lowest* cosine similarity" in result.message


def test_scene_cut_rejects_the_largest_pixel_difference_because_of_the_flash():
    def largest_pixel_change(frames):
        f = np.asarray(frames, dtype=np.float64)
        return int(np.argmax(np.abs(np.diff(f, axis=0)).mean(axis=(1, 2, 3)))) + 1

    result = check_scene_cut(largest_pixel_change)
    assert not result.passed and "is a flash inside a shot" in result.message


def test_scene_cut_accepts_an_embedding_answer_through_the_flash():
    encoder = load_image_encoder("efficientnet_lite0", device="cpu")

    def find_cut(frames):
        e = encoder.embed(list(frames))
        return int(np.argmin([cosine_similarity(e[t], e[t + 1]) for t in range(len(e) - 1)])) + 1

    result = check_scene_cut(find_cut)
    assert result.passed and "is a flash" in result.message


def test_scene_cut_stops_an_answer_that_never_returns(monkeypatch):
    monkeypatch.setattr(video_checks, "ANSWER_SECONDS", 0.5)
    result = check_scene_cut(forever)
    assert not result.passed and "find_cut function ran for more than 0.5 s and was stopped" in result.message


# ------------------------------------------------------------------ 5.4

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


SOBEL_DIAGONAL = np.array([[-2, -1, 0], [-1, 0, 1], [0, 1, 2]])   # sobel_x + sobel_y, halved


@pytest.mark.parametrize("kernel, direction", [
    (SOBEL_X.T, "horizontal"),
    (SOBEL_X, "vertical"),
    (SOBEL_DIAGONAL, "diagonal"),
    ([[-1, 0, 0], [0, 0, 0], [0, 0, 1]], "diagonal"),       # a Roberts-style corner difference
    (np.fliplr(SOBEL_DIAGONAL), "antidiagonal"),
])
def test_edge_kernel_accepts_a_right_filter_for_each_direction(kernel, direction):
    assert check_edge_kernel(kernel, direction=direction).passed


@pytest.mark.parametrize("kernel, direction, phrase", [
    (SOBEL_X, "horizontal", "Is it turned by 90°?"),
    (-SOBEL_X.T, "horizontal", "flip its sign"),
    (np.ones((3, 3)), "horizontal", "weights sum to 9.000"),
    ([[0, 1, 0], [1, -4, 1], [0, 1, 0]], "horizontal", "each column of the kernel should add up to 0"),
    (np.ones((2, 2)), "horizontal", "expected a 3 × 3 array"),
    # the notebook's own sobel_y fires on the diagonal edge too, but just as much on the other diagonal
    (SOBEL_X.T, "diagonal", "responds 1.800 to the antidiagonal edge, against 1.800"),
    (SOBEL_X, "diagonal", "each line running from top-left to bottom-right of the kernel should add up to 0"),
    (SOBEL_DIAGONAL + 1 / 9, "diagonal", "weights sum to 1.000"),
    (np.fliplr(SOBEL_DIAGONAL), "diagonal", "Is it turned by 90°?"),
    (-SOBEL_DIAGONAL, "diagonal", "flip its sign"),
])
def test_edge_kernel_explains_typical_mistakes(kernel, direction, phrase):
    result = check_edge_kernel(kernel, direction=direction)
    assert not result.passed and phrase in result.message


@pytest.mark.parametrize("kernel", [[[1, 0, 0], [0, -2, 0], [0, 0, 1]], [[-1, 0, 0], [0, 2, 0], [0, 0, -1]]])
def test_edge_kernel_rejects_a_second_difference_blind_to_the_edges_direction(kernel):
    result = check_edge_kernel(kernel, direction="diagonal")
    assert not result.passed and "reversed edge" in result.message, result.message


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


def test_patchify_check_stops_an_answer_that_never_returns(monkeypatch):
    monkeypatch.setattr(visual_checks, "ANSWER_SECONDS", 0.5)
    result = check_patchify(forever)
    assert not result.passed and "patchify ran for more than 0.5 s and was stopped" in result.message


def test_conv_depth_recomputes_the_receptive_field():
    assert check_conv_depth(7, target=15).passed              # 1 + 2·7 = 15
    assert check_conv_depth(4, target=29, stride=2).passed    # 3, 7, 15, 31
    short = check_conv_depth(6, target=15)
    assert not short.passed and "13 × 13" in short.message
    long = check_conv_depth(8, target=15)
    assert not long.passed and "look for the fewest" in long.message


@pytest.mark.parametrize("answer, phrase", [
    (112, "111 already see far more than 224 × 224"),   # (224 − 1) / 2 layers: the stride of 2 ignored
    (8, "7 already see 255 × 255"),                     # log2(224) rounded up: the kernel's reach ignored
])
def test_conv_depth_rejects_the_notebooks_question_answered_ignoring_an_input(answer, phrase):
    result = check_conv_depth(answer, target=224, kernel=3, stride=2)      # 3, 7, 15, 31, 63, 127, 255: 7 layers
    assert not result.passed and phrase in result.message and "look for the fewest" in result.message


# ------------------------------------------------------------------ bad answers: a result, never a raw error, never a pass on NaN

@pytest.mark.parametrize("fn, phrase", [
    (lambda x, p: None, "returned None"),
    (lambda x, p: "tokens", "returned 'tokens' (str)"),
    (lambda x, p: [patchify(x, p), 1], "return the tokens as a torch.Tensor"),
    (lambda x, p: torch.full(patchify(x, p).shape, float("nan")), "NaN or infinite"),
    (lambda x, p: patchify(x, p) > 0.5, "torch.bool"),
])
def test_patchify_check_explains_an_answer_that_is_not_a_finite_tensor(fn, phrase):
    result = check_patchify(fn)
    assert not result.passed and phrase in result.message


def test_patchify_check_accepts_a_numpy_answer_with_the_right_values():
    assert check_patchify(lambda x, p: patchify(x, p).numpy()).passed


HORIZONTAL_SOBEL_HUGE = [[-1e308, -1e308, -1e308], [0, 0, 0], [1e308, 1e308, 1e308]]


@pytest.mark.parametrize("kernel, phrase", [
    (HORIZONTAL_SOBEL_HUGE, "overflow"),
    (np.negative(HORIZONTAL_SOBEL_HUGE), "overflow"),
    ([[1e308, 1e308, 1e308], [1e308, 1e308, 1e308], [-1e308, -1e308, -1e308]], "overflow"),
    ([[np.nan, 0, 0], [0, 0, 0], [0, 0, 0]], "finite"),
    (np.full((3, 3), np.inf), "finite"),
    (np.zeros((3, 3)), "every weight is 0"),
    ([["a", "b", "c"]] * 3, "expected a 3 × 3 array of numbers"),
    (None, "expected a 3 × 3 array"),
])
def test_edge_kernel_never_passes_on_nan_or_infinity(kernel, phrase):
    with np.errstate(all="raise"):  # the check itself must not trip a floating-point warning
        result = check_edge_kernel(kernel)
    assert not result.passed and phrase in result.message, result.message


def test_edge_kernel_judges_tiny_and_large_weights_by_their_shape():
    assert check_edge_kernel(SOBEL_X.T * 1e-300).passed
    big = check_edge_kernel(SOBEL_X.T * 1e200)
    assert big.passed and "2.4e+200" in big.message
    assert not check_edge_kernel(SOBEL_X * 1e-300).passed


def test_edge_kernel_refuses_an_unknown_direction_with_a_clear_error():
    with pytest.raises(ValueError, match=r"expected direction as one of \('horizontal', 'vertical', 'diagonal', 'antidiagonal'\), got 'sideways'"):
        check_edge_kernel(SOBEL_X.T, direction="sideways")
    with pytest.raises(TypeError, match="expected direction as a string"):
        check_edge_kernel(SOBEL_X.T, direction=1)


LABELS = ["a", "a (grey)", "a (rotate)"]


@pytest.mark.parametrize("where", ["everywhere", "one copy", "the diagonal"])
def test_hardest_edit_fails_on_nan_similarities_instead_of_passing(where):
    S = np.eye(3)
    S[0, 1] = S[1, 0] = 0.2
    S[0, 2] = S[2, 0] = 0.9
    if where == "everywhere":
        S[:] = np.nan
    elif where == "one copy":
        S[0, 2] = np.nan
    else:
        S[1, 1] = np.inf
    for answer in ("grey", "rotate"):
        result = check_hardest_edit(answer, S, LABELS, PooledPixels(), sample_photos(["cat"]))
        assert not result.passed and "NaN or infinite" in result.message


def test_hardest_edit_explains_answers_and_inputs_of_the_wrong_kind():
    S, enc, originals = np.eye(3), PooledPixels(), sample_photos(["cat"])
    for answer in (None, 3, ["grey"]):
        result = check_hardest_edit(answer, S, LABELS, enc, originals)
        assert not result.passed and "expected the name of an edit as a string" in result.message
    assert "labels" in check_hardest_edit("grey", S, "abc", enc, originals).message
    assert "every label to be a string" in check_hardest_edit("grey", S, ["a", 1, 2], enc, originals).message
    assert "array of numbers" in check_hardest_edit("grey", [["x"] * 3] * 3, LABELS, enc, originals).message
    assert "originals as a non-empty dict" in check_hardest_edit("grey", S, LABELS, enc, {}).message


class _Deadline:
    """Fail the test, instead of hanging it, if the block runs longer than ``seconds``."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        def timed_out(signum, frame):
            raise AssertionError(f"the check was still working after {self.seconds} s: its work must be bounded")

        self.previous = signal.signal(signal.SIGALRM, timed_out)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.previous)


@pytest.mark.parametrize("n_layers, target, stride, phrase", [
    (10 ** 8, 7, 1, "99999999 already see 199999999 × 199999999"),
    (10 ** 8, 7, 2, "99999999 already see far more than 7 × 7"),
    (10 ** 18, 224, 3, "already see far more than 224 × 224"),
    (3, 10 ** 12, 1, "see only 7 × 7 pixels, less than 1000000000000"),
])
def test_conv_depth_answers_huge_numbers_without_building_the_stack(n_layers, target, stride, phrase):
    with _Deadline(10):
        result = check_conv_depth(n_layers, target=target, stride=stride)
    assert not result.passed and phrase in result.message


def test_conv_depth_finds_the_fewest_layers_for_a_huge_target():
    with _Deadline(10):
        assert check_conv_depth(5 * 10 ** 11, target=10 ** 12).passed          # 1 + 2·5e11 ≥ 1e12
        assert not check_conv_depth(5 * 10 ** 11 - 1, target=10 ** 12).passed


@pytest.mark.parametrize("kernel", [2, 3, 5, 7])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_conv_depth_agrees_with_receptive_fields(kernel, stride):
    sizes = [rf.size for rf in receptive_fields([(kernel, stride)] * 1000)]
    for target in (2, 3, 10, 31, 100, 224, 1000):
        fewest = next(i + 1 for i, size in enumerate(sizes) if size >= target)
        assert check_conv_depth(fewest, target, kernel, stride).passed, (target, fewest)
        if fewest > 1:
            assert not check_conv_depth(fewest - 1, target, kernel, stride).passed
        assert not check_conv_depth(fewest + 1, target, kernel, stride).passed


@pytest.mark.parametrize("answer", [0, -3, 2.5, True, None, "7", float("nan"), float("inf")])
def test_conv_depth_explains_an_answer_that_is_not_a_positive_whole_number(answer):
    result = check_conv_depth(answer, target=15)
    assert not result.passed and "positive whole number" in result.message


def test_conv_depth_with_kernel_1_says_no_depth_reaches_the_target():
    result = check_conv_depth(3, target=15, kernel=1)
    assert not result.passed and "no stack sees more than 1 pixel" in result.message


@pytest.mark.parametrize("name, kwargs, error", [
    ("target", {"target": 0}, ValueError),
    ("target", {"target": 2.5}, TypeError),
    ("kernel", {"target": 15, "kernel": 0}, ValueError),
    ("stride", {"target": 15, "stride": math.nan}, TypeError),
])
def test_conv_depth_refuses_bad_settings_with_a_clear_error(name, kwargs, error):
    with pytest.raises(error, match=f"expected {name}"):
        check_conv_depth(3, **kwargs)


def _sized_by_sound(y, sr):
    """An embedding whose length depends on the clip: a different length for different sounds."""
    return audio.mfcc_embedding(y, sr)[1:2 + int(np.argmax(np.abs(y))) % 5]


@pytest.mark.parametrize("fn, phrase", [
    (lambda y, sr: None, "returned None (NoneType)"),
    (lambda y, sr: "loud", "returned 'loud' (str)"),
    (lambda y, sr: np.full(8, np.nan), "NaN or infinite values"),
    (lambda y, sr: np.ones((2, 4)), "got shape (2, 4)"),
    (_sized_by_sound, "one fixed length"),
])
def test_loudness_check_explains_an_embedding_that_is_not_a_usable_vector(fn, phrase):
    result = check_loudness_invariant_mfcc(fn, sr=SR)
    assert not result.passed and phrase in result.message, result.message
    assert "raised" not in result.message, "the learner's function did not raise; say what it returned"


def test_loudness_check_is_not_fooled_by_huge_embedding_values():
    assert check_loudness_invariant_mfcc(lambda y, sr: _drop_loudness(y, sr).astype(np.float64) * 1e300, sr=SR).passed


@pytest.mark.parametrize("check", [check_loudness_invariant_mfcc, check_instrument_identifier])
def test_audio_checks_refuse_a_bad_sample_rate_with_a_clear_error(check):
    with pytest.raises(ValueError, match="expected sr as a whole number of samples per second"):
        check(_drop_loudness, sr=2.5)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_scene_cut_refuses_a_bad_seed_with_a_clear_error(seed, error):
    with pytest.raises(error, match="seed"):
        check_scene_cut(lambda frames: 1, seed=seed)


def test_nearest_neighbour_explains_originals_that_are_not_a_dict():
    result = check_nearest_neighbour(lambda image: "cat", ["cat"])
    assert not result.passed and "expected originals as a dict" in result.message


def _not_callable_answers():
    return [None, 3, "answer", float("nan")]


@pytest.mark.parametrize("answer", _not_callable_answers())
def test_function_checks_turn_a_non_function_into_a_result(answer):
    for check, args in [(check_patchify, ()), (check_scene_cut, ()),
                        (check_loudness_invariant_mfcc, (SR,)), (check_instrument_identifier, (SR,))]:
        result = check(answer, *args)
        assert isinstance(result, CheckResult) and not result.passed, check.__name__
