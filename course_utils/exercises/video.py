"""Checks for chapter 5.3 (video embeddings)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils.exercises.base import CheckResult, cos, run_answer
from course_utils.image.photos import sample_photo
from course_utils.validation import check_encoder, check_finite, check_scalar
from course_utils.video import frame_indices, validate_frames

#: Seconds one call of a learner's function may run before a check stops it.
ANSWER_SECONDS = 60


def check_stable_frame_count(k: int, frames: np.ndarray, encoder, threshold: float = 0.995) -> CheckResult:
    """Check the smallest frame count K from which the mean-pooled embedding stops changing.

    "Stops changing" means: for K and every larger count, the mean of the
    embeddings of K evenly spaced frames (:func:`course_utils.video.frame_indices`)
    has cosine ≥ ``threshold`` with the mean over all frames.

    Parameters
    ----------
    k : int
        Your answer.
    frames : array, shape (n, H, W, 3)
        The clip.
    encoder : course_utils.image.registry.ImageEncoder
    threshold : float
        Strictly between 0 and 1.

    Returns
    -------
    CheckResult
        A bad K is a failed result, never an error.
    """
    threshold = check_scalar(threshold, "threshold", float, min_val=0.0, max_val=1.0, include_boundaries="neither")
    encoder = check_encoder(encoder)
    frames = validate_frames(frames)
    n = len(frames)
    try:
        k = check_scalar(k, "K", int, min_val=1, max_val=n)
    except (TypeError, ValueError):
        return CheckResult(False, f"expected K as a whole number of frames between 1 and {n}, got {k!r}.")
    e = np.asarray(encoder.embed(list(frames)), dtype=np.float64)
    check_finite(e, "the encoder's frame embeddings")
    reference = e.mean(axis=0)
    sims = {K: cos(e[frame_indices(n, K)].mean(axis=0), reference) for K in range(1, n + 1)}
    # K = n is the reference itself; it is stable whatever the rounding says.
    stable = next((K for K in range(1, n + 1) if all(sims[j] >= threshold for j in range(K, n))), n)
    if k == stable:
        before = f"; K = {k - 1} gives {sims[k - 1]:.4f}" if k > 1 else ""
        return CheckResult(True, f"from K = {k} on, every K stays at cosine ≥ {threshold} with all {n} frames "
                                 f"(K = {k}: {sims[k]:.4f}{before}).")
    if sims[k] < threshold:
        return CheckResult(False, f"with K = {k} the cosine with all {n} frames is {sims[k]:.4f}, below {threshold}: "
                                  "sample more frames.")
    if k < stable:
        dip = next(j for j in range(n, k, -1) if sims[j] < threshold)
        return CheckResult(False, f"K = {k} reaches {sims[k]:.4f}, but K = {dip} falls back to {sims[dip]:.4f}: the "
                                  f"embedding has not settled yet. Check every K from yours up to {n}.")
    return CheckResult(False, f"K = {k} is stable, but so is K = {k - 1} ({sims[k - 1]:.4f}) and every K after it: "
                              "look for the smallest.")


def _panning_shot(name: str, n: int, height: int = 96, width: int = 128) -> np.ndarray:
    """A camera panning slowly across one photo: ``n`` frames, 3 pixels apart."""
    photo = np.asarray(sample_photo(name).resize((width + 3 * n, height + 2 * n)))
    return np.stack([photo[2 * t:2 * t + height, 3 * t:3 * t + width] for t in range(n)])


def _flash(frame: np.ndarray) -> np.ndarray:
    """A camera flash: every pixel brightened (× 1.5 + 60, clipped), the scene unchanged."""
    return np.clip(frame.astype(np.float64) * 1.5 + 60, 0, 255).astype(np.uint8)


def check_scene_cut(find_cut: Callable, seed: int = 0) -> CheckResult:
    """Check a function that finds the first frame after a hard cut between two shots.

    Three clips of 8 frames, each a camera panning over one photo and then
    over another, go to ``find_cut``; the cut comes at a different frame in
    each. The frames change a little all the time, and one frame inside a shot
    is a flash (every pixel brighter, the same scene), so the cut is where two
    neighbouring frames differ most *in what they show*, not in their pixels.

    Parameters
    ----------
    find_cut : callable
        ``find_cut(frames) -> int``: the index of the first frame of the second shot.
    seed : int
        Picks the cut positions (≥ 0).

    Returns
    -------
    CheckResult
    """
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    shots = [("cat", "coffee"), ("rocket", "astronaut"), ("temple", "flower")]
    cuts = rng.permutation(np.arange(2, 7))[:3]
    n = 8
    wrong = []
    for (a, b), cut in zip(shots, cuts):
        clip = np.concatenate([_panning_shot(a, n)[:cut], _panning_shot(b, n)[cut:]])
        flash = 2 if cut >= 5 else 6  # inside a shot, both neighbours in it too
        clip[flash] = _flash(clip[flash])
        answer, failed = run_answer("find_cut function", ANSWER_SECONDS, find_cut, clip)
        if failed is not None:
            return failed
        if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
            return CheckResult(False, f"find_cut returned {answer!r}; return the frame index as an int.")
        if int(answer) != int(cut):
            wrong.append((a, b, int(cut), int(answer), flash))
    if not wrong:
        return CheckResult(True, f"all {len(shots)} cuts found, at frames {', '.join(str(int(c)) for c in cuts)}, "
                                 "although every frame differs a little from the one before and one frame in "
                                 "each clip is a flash.")
    a, b, cut, answer, flash = wrong[0]
    if answer == cut - 1:
        hint = ("that is the last frame *before* the cut: if similarity[t] compares frames t and t + 1, "
                "the new shot starts at t + 1")
    elif answer in (flash, flash + 1):
        hint = (f"frame {flash} is a flash inside a shot: every pixel is brighter but the scene is the same. "
                "Pixel differences jump there; compare the frames' embeddings, which barely move with brightness")
    else:
        hint = "compare each frame's embedding with the next one's and look for the *lowest* cosine similarity"
    return CheckResult(False, f"{len(shots) - len(wrong)} of {len(shots)} cuts found; in the {a} → {b} clip the cut "
                              f"is at frame {cut}, you said {answer}. Hint: {hint}.")
