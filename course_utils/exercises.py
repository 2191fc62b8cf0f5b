"""Checks for the chapter exercises: call one on your answer and read what it says.

Each exercise at the end of a chapter notebook has a check here. A check
*recomputes* what your answer claims — it calls your function on new inputs,
or redoes the measurement your number is about — and returns a
:class:`CheckResult`. Printed, the result says what is right, or what is off
(with the numbers it observed) and what to look at next. Numbers in messages
have a fixed precision, so the same answer prints the same message on every
machine.

=====  ======================================  ==========================================
ch.    check                                   exercise
=====  ======================================  ==========================================
5.1    :func:`check_nearest_neighbour`         reverse image lookup as a function
5.1    :func:`check_hardest_edit`              which edit moves an embedding most
5.2    :func:`check_loudness_invariant_mfcc`   an MFCC embedding that ignores loudness
5.2    :func:`check_instrument_identifier`     name the instrument of a quiet new clip
5.3    :func:`check_stable_frame_count`        the frame count K where the embedding settles
5.3    :func:`check_scene_cut`                 find a hard cut with frame embeddings
5.4    :func:`check_edge_kernel`               a 3 × 3 filter for horizontal edges
5.4    :func:`check_patchify`                  cut images into ViT tokens by hand
5.4    :func:`check_conv_depth`                how deep a CNN must be to see a region
=====  ======================================  ==========================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

__all__ = [
    "CheckResult",
    "check_nearest_neighbour",
    "check_hardest_edit",
    "check_loudness_invariant_mfcc",
    "check_instrument_identifier",
    "check_stable_frame_count",
    "check_scene_cut",
    "check_edge_kernel",
    "check_patchify",
    "check_conv_depth",
]

#: How a passed and a failed check start when printed.
PASSED_PREFIX = "✔ Correct. "
FAILED_PREFIX = "✘ Not yet. "


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one exercise check.

    Attributes
    ----------
    passed : bool
        Whether the answer does what the exercise asks.
    message : str
        What is right, or what is off and what to look at next.

    Examples
    --------
    >>> CheckResult(True, "well done.")
    ✔ Correct. well done.
    """

    passed: bool
    message: str

    def __repr__(self) -> str:
        return (PASSED_PREFIX if self.passed else FAILED_PREFIX) + self.message

    __str__ = __repr__

    def __bool__(self) -> bool:
        return self.passed


def _raised(what: str, err: Exception) -> CheckResult:
    return CheckResult(False, f"your {what} raised {type(err).__name__}: {err}. Fix that error first.")


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two flattened vectors; an all-zero or NaN vector raises (see course_utils.similarity)."""
    from course_utils.similarity import cosine_similarity

    return cosine_similarity(np.ravel(a), np.ravel(b))


# --------------------------------------------------------------------------- 5.1 images

def _unseen_edit(photo):
    """An edit the 5.1 gallery never contains: zoomed in on 80 %, mirrored and turned grey."""
    from PIL import ImageOps

    from course_utils.images import to_rgb_image

    photo = to_rgb_image(photo)
    w, h = photo.size
    zoomed = photo.crop((w // 10, h // 10, w // 10 + w * 8 // 10, h // 10 + h * 8 // 10))
    return ImageOps.grayscale(ImageOps.mirror(zoomed)).convert("RGB")


def check_nearest_neighbour(lookup: Callable, originals: Mapping[str, object]) -> CheckResult:
    """Check a reverse-image-lookup function on copies it has never seen.

    Every original photo is zoomed in, mirrored and turned grey (an edit the
    gallery does not hold) and passed to ``lookup``, which must return the name of
    the photo it came from.

    Parameters
    ----------
    lookup : callable
        ``lookup(image) -> str``: the name of the gallery photo nearest to
        ``image`` (a gallery label such as ``"cat (flip)"`` also counts as
        ``"cat"``).
    originals : mapping of str to image
        The original photos, by name (the notebook's ``originals``).

    Returns
    -------
    CheckResult
    """
    if not originals:
        return CheckResult(False, "originals is empty; pass the dict of original photos used to build the gallery.")
    wrong, answers = [], {}
    for name, photo in originals.items():
        try:
            answer = lookup(_unseen_edit(photo))
        except Exception as err:  # a learner's function may raise anything
            return _raised("lookup function", err)
        if not isinstance(answer, (str, np.str_)):
            return CheckResult(False, f"lookup returned {answer!r} ({type(answer).__name__}) for the {name} photo; "
                                      "return the photo's name, e.g. source[j] for the best gallery row j.")
        answers[name] = str(answer)
        if not (answer == name or str(answer).startswith(name + " (")):
            wrong.append(name)
    n = len(originals)
    if not wrong:
        return CheckResult(True, f"all {n} zoomed, mirrored and greyed copies, an edit the gallery never saw, "
                                 f"were traced back to their originals.")
    shown = ", ".join(f"{w} → {answers[w]!r}" for w in wrong[:4])
    hint = ("none were found: take the *most* similar gallery row (argmax, or top_k's first column), "
            "not the least similar" if len(wrong) == n else
            "embed the query with the same encoder as the gallery G and rank the gallery by cosine similarity")
    return CheckResult(False, f"{n - len(wrong)} of {n} new copies found their original; wrong: {shown}. "
                              f"Hint: {hint}.")


def _edit_similarities(similarity: np.ndarray, labels: Sequence[str]) -> dict[str, float]:
    index = {label: i for i, label in enumerate(labels)}
    per_kind: dict[str, list[float]] = {}
    for label, j in index.items():
        if label.endswith(")") and " (" in label:
            name, kind = label[:-1].split(" (", 1)
            if name in index:
                per_kind.setdefault(kind, []).append(float(similarity[index[name], j]))
    return {kind: float(np.mean(v)) for kind, v in per_kind.items()}


def check_hardest_edit(answer: str, similarity: np.ndarray, labels: Sequence[str]) -> CheckResult:
    """Check which edit lowers the similarity between a photo and its copy the most.

    Parameters
    ----------
    answer : str
        An edit name, e.g. ``"flip"``.
    similarity : array, shape (n, n)
        Cosine similarities of the gallery (the notebook's ``S``).
    labels : sequence of str
        Gallery labels: ``"name"`` for an original, ``"name (edit)"`` for a copy.

    Returns
    -------
    CheckResult
    """
    S = np.asarray(similarity, dtype=np.float64)
    if S.ndim != 2 or S.shape[0] != S.shape[1] or S.shape[0] != len(labels):
        return CheckResult(False, f"expected a square similarity matrix with one row per label ({len(labels)}), "
                                  f"got shape {S.shape}; pass S and labels from the gallery cells.")
    means = _edit_similarities(S, labels)
    if not means:
        return CheckResult(False, "found no 'name (edit)' labels whose original 'name' is also in the gallery; "
                                  "pass the gallery's labels unchanged.")
    ranked = sorted(means, key=means.get)
    table = ", ".join(f"{k} {means[k]:.3f}" for k in ranked)
    if answer not in means:
        return CheckResult(False, f"{answer!r} is not one of the gallery's edits {sorted(means)}.")
    if answer == ranked[0]:
        return CheckResult(True, f"{answer} copies stay least similar to their originals. Mean similarity "
                                 f"original ↔ copy, lowest first: {table}.")
    lower = ranked.index(answer)
    return CheckResult(False, f"{answer} copies average {means[answer]:.3f} with their originals, and "
                              f"{lower} edit{'s' if lower > 1 else ''} score{'' if lower > 1 else 's'} lower. "
                              "For each edit, average S[original, its copy] over the photos and pick the lowest.")


# --------------------------------------------------------------------------- 5.2 audio

def _loudness_probe_sounds(sr: int) -> dict[str, np.ndarray]:
    from course_utils import sounds

    gallery = sounds.instrument_gallery(sr=sr, seed=0)
    return {name: gallery[name] for name in ("trumpet", "flute", "plucked string", "pink noise")}


def check_loudness_invariant_mfcc(fn: Callable, sr: int = 22050) -> CheckResult:
    """Check that an audio embedding ignores loudness but still tells sounds apart.

    ``fn`` is called on four sounds (trumpet, flute, plucked string, pink
    noise) at full level and at 1/4 and 1/50 of it. A quiet copy must embed
    like the loud one (cosine ≥ 0.999), and the four sounds must stay
    distinct (no two above 0.995).

    Parameters
    ----------
    fn : callable
        ``fn(y, sr) -> 1-D array``.
    sr : int
        Sample rate of the test sounds.

    Returns
    -------
    CheckResult
    """
    probes = _loudness_probe_sounds(sr)
    loud, worst = {}, (2.0, "", 1.0, None, None)
    for name, y in probes.items():
        try:
            loud[name] = np.asarray(fn(y, sr), dtype=np.float64)
            for gain in (0.25, 0.02):
                quiet = np.asarray(fn((y * gain).astype(np.float32), sr), dtype=np.float64)
                if quiet.ndim != 1 or quiet.shape != loud[name].shape or not np.all(np.isfinite(quiet)):
                    return CheckResult(False, f"expected a 1-D finite vector of one fixed length, got shape "
                                              f"{quiet.shape} for the quiet {name}; return one vector per clip.")
                if not np.any(quiet) or not np.any(loud[name]):
                    return CheckResult(False, f"your embedding of the {name} is an all-zero vector, so its cosine "
                                              "similarity is undefined; return values that describe the sound.")
                sim = _cos(quiet, loud[name])
                if sim < worst[0]:
                    worst = (sim, name, gain, quiet, loud[name])
        except Exception as err:  # a learner's function may raise anything
            return _raised("embedding function", err)
    sim, name, gain, quiet, reference = worst
    if sim < 0.999:
        change = np.abs(quiet - reference) / (np.abs(reference) + 1e-9)
        dim = int(np.argmax(np.abs(quiet - reference)))
        hint = (" Dimension 0 moved most: that is the mean of MFCC 0, the loudness. Drop it, or scale each clip "
                "to the same peak before embedding." if dim == 0 else
                f" Dimension {dim} moved most ({reference[dim]:.1f} → {quiet[dim]:.1f}); find which part of "
                "your embedding follows the volume.")
        return CheckResult(False, f"the {name} at {gain:g}× volume embeds at cosine {sim:.3f} from the loud one "
                                  f"(needs ≥ 0.999; largest relative change {change.max():.2f}).{hint}")
    names = list(loud)
    pair, top = ("", ""), -2.0
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            s = _cos(loud[a], loud[b])
            if s > top:
                pair, top = (a, b), s
    if top > 0.995:
        return CheckResult(False, f"loudness no longer matters ({sim:.4f} worst case), but {pair[0]} ↔ {pair[1]} "
                                  f"now score {top:.3f}: the embedding no longer tells sounds apart. Keep the "
                                  "timbre coefficients (MFCC 1-19).")
    return CheckResult(True, f"a clip at 1/50 of the volume embeds like the loud one (worst cosine {sim:.4f}), "
                             f"and different sounds stay apart (closest pair {pair[0]} ↔ {pair[1]} {top:.3f}).")


def _mystery_clips(sr: int) -> dict[str, tuple[str, np.ndarray]]:
    """New, quiet clips with a known instrument: a tune the gallery never played."""
    from course_utils import sounds

    tune = [("G4", 1.0), ("E4", 1.0), ("C4", 1.0), ("E4", 1.0)]
    return {
        "a quiet flute": ("flute", 0.2 * sounds.phrase(sounds.flute_tone, tune, sr=sr, seed=3)),
        "a quiet clarinet": ("clarinet", 0.1 * sounds.phrase(sounds.clarinet_tone, tune, sr=sr, transpose=-7)),
        "a plucked string": ("plucked string",
                             0.3 * sounds.phrase(sounds.plucked_string, tune, sr=sr, transpose=-7, seed=4)),
        "very quiet pink noise": ("pink noise", 0.05 * sounds.noise(1.5, sr=sr, color="pink", seed=9)),
        "loud brown noise": ("brown noise", 1.6 * sounds.noise(1.5, sr=sr, color="brown", seed=11)),
    }


def check_instrument_identifier(identify: Callable, sr: int = 22050) -> CheckResult:
    """Check a function that names the instrument of a clip it has never heard.

    Five new clips (a tune the gallery never played, at volumes from 1/20 to
    1.6 × the gallery's) go to ``identify``; each must come back as the name
    of its source in the 5.2 gallery (``"trumpet slower"`` counts as
    ``"trumpet"``).

    Parameters
    ----------
    identify : callable
        ``identify(y, sr) -> str``.
    sr : int

    Returns
    -------
    CheckResult
    """
    wrong = []
    clips = _mystery_clips(sr)
    for label, (truth, y) in clips.items():
        try:
            answer = identify(y.astype(np.float32), sr)
        except Exception as err:  # a learner's function may raise anything
            return _raised("identify function", err)
        if not isinstance(answer, (str, np.str_)):
            return CheckResult(False, f"identify returned {answer!r} for {label}; return a gallery name such as "
                                      "'flute'.")
        if not (answer == truth or str(answer).startswith(truth + " ")):
            wrong.append(f"{label} → {answer!r}")
    if not wrong:
        return CheckResult(True, f"all {len(clips)} new clips were named after the right sound, "
                                 "from 1/20 of the gallery's volume to 1.6 × it.")
    return CheckResult(False, f"{len(clips) - len(wrong)} of {len(clips)} clips named correctly; wrong: "
                              f"{'; '.join(wrong)}. Quiet and loud clips are the hard ones: does your embedding "
                              "ignore loudness (the previous exercise)?")


# --------------------------------------------------------------------------- 5.3 video

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
    encoder : course_utils.models.ImageEncoder
    threshold : float

    Returns
    -------
    CheckResult
    """
    from course_utils.video import frame_indices

    n = len(frames)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        return CheckResult(False, f"expected K as a whole number of frames between 1 and {n}, got {k!r}.")
    e = encoder.embed(list(frames))
    reference = e.mean(axis=0)
    sims = {K: _cos(e[frame_indices(n, K)].mean(axis=0), reference) for K in range(1, n + 1)}
    stable = next(K for K in range(1, n + 1) if all(sims[j] >= threshold for j in range(K, n + 1)))
    k = int(k)
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
    from course_utils.data import sample_photo

    photo = np.asarray(sample_photo(name).resize((width + 3 * n, height + 2 * n)))
    return np.stack([photo[2 * t:2 * t + height, 3 * t:3 * t + width] for t in range(n)])


def check_scene_cut(find_cut: Callable, seed: int = 0) -> CheckResult:
    """Check a function that finds the first frame after a hard cut between two shots.

    Three clips of 8 frames, each a camera panning over one photo and then
    over another, go to ``find_cut``; the cut comes at a different frame in
    each. The frames change a little all the time, so the cut is where two
    neighbouring frames differ *most*.

    Parameters
    ----------
    find_cut : callable
        ``find_cut(frames) -> int``: the index of the first frame of the second shot.
    seed : int
        Picks the cut positions.

    Returns
    -------
    CheckResult
    """
    rng = np.random.default_rng(seed)
    shots = [("cat", "coffee"), ("rocket", "astronaut"), ("temple", "flower")]
    cuts = rng.permutation(np.arange(2, 7))[:3]
    n = 8
    wrong = []
    for (a, b), cut in zip(shots, cuts):
        clip = np.concatenate([_panning_shot(a, n)[:cut], _panning_shot(b, n)[cut:]])
        try:
            answer = find_cut(clip)
        except Exception as err:  # a learner's function may raise anything
            return _raised("find_cut function", err)
        if isinstance(answer, bool) or not isinstance(answer, (int, np.integer)):
            return CheckResult(False, f"find_cut returned {answer!r}; return the frame index as an int.")
        if int(answer) != int(cut):
            wrong.append((a, b, int(cut), int(answer)))
    if not wrong:
        return CheckResult(True, f"all {len(shots)} cuts found, at frames {', '.join(str(int(c)) for c in cuts)}, "
                                 "although every frame differs a little from the one before.")
    a, b, cut, answer = wrong[0]
    if answer == cut - 1:
        hint = ("that is the last frame *before* the cut: if similarity[t] compares frames t and t + 1, "
                "the new shot starts at t + 1")
    else:
        hint = "compare each frame's embedding with the next one's and look for the *lowest* cosine similarity"
    return CheckResult(False, f"{len(shots) - len(wrong)} of {len(shots)} cuts found; in the {a} → {b} clip the cut "
                              f"is at frame {cut}, you said {answer}. Hint: {hint}.")


# --------------------------------------------------------------------------- 5.4 inside the models

def _step(size: int, horizontal: bool) -> np.ndarray:
    img = np.full((size, size), 0.2, dtype=np.float64)
    if horizontal:
        img[size // 2:, :] = 0.8   # dark above, bright below
    else:
        img[:, size // 2:] = 0.8   # dark on the left, bright on the right
    return img


def _correlate(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    from numpy.lib.stride_tricks import sliding_window_view

    return (sliding_window_view(img, kernel.shape) * kernel).sum(axis=(-2, -1))


def check_edge_kernel(kernel, direction: str = "horizontal") -> CheckResult:
    """Check a 3 × 3 filter that fires on one kind of edge and nothing else.

    The filter is slid over three test images (as ``conv2d`` does, without
    flipping): a flat grey image, an edge between a dark top and a bright
    bottom, and an edge between a dark left and a bright right side.

    Parameters
    ----------
    kernel : array_like, shape (3, 3)
    direction : {"horizontal", "vertical"}
        ``"horizontal"``: respond positively to dark-above-bright-below and
        not to the vertical edge; ``"vertical"``: dark-left-bright-right.

    Returns
    -------
    CheckResult
    """
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    k = np.asarray(kernel, dtype=np.float64)
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        return CheckResult(False, f"expected a 3 × 3 array of finite numbers, got shape {k.shape}.")
    wanted, other = _step(16, direction == "horizontal"), _step(16, direction != "horizontal")
    on = float(_correlate(wanted, k).max(initial=0.0))
    low = float(_correlate(wanted, k).min())
    off = float(np.abs(_correlate(other, k)).max())
    flat = float(_correlate(np.full((16, 16), 0.5), k)[0, 0])
    scale = max(np.abs(k).sum(), 1e-12)
    if abs(flat) > 1e-6 * scale:
        return CheckResult(False, f"on a flat grey image your filter gives {flat:.3f} everywhere, because its "
                                  f"weights sum to {k.sum():.3f}: an edge detector must ignore flat areas, so "
                                  "make the weights sum to 0.")
    other_name = "vertical" if direction == "horizontal" else "horizontal"
    if on <= 1e-9 and -low > 1e-9:
        return CheckResult(False, f"it fires negatively ({low:.3f}) on the {direction} edge: it is looking for "
                                  "bright-to-dark; flip its sign.")
    along = "rows (top to bottom)" if direction == "horizontal" else "columns (left to right)"
    if on <= 1e-9:
        return CheckResult(False, f"it gives {on:.3f} on the {direction} edge but {off:.3f} on the {other_name} "
                                  f"one: it should change along the {along}. Is it transposed?")
    if off > 0.1 * on:
        return CheckResult(False, f"it responds {off:.3f} to the {other_name} edge, against {on:.3f} to the "
                                  f"{direction} one: its weights should change along the {along} only, with "
                                  "equal rows across.")
    return CheckResult(True, f"it gives {on:.3f} on the {direction} edge, {off:.3f} on the {other_name} one "
                             "and 0 on flat areas.")


def check_patchify(fn: Callable) -> CheckResult:
    """Check a hand-written ViT ``patchify(images, patch_size)`` against the course's.

    Tokens must come row by row (left to right, then top to bottom), each
    holding its patch's pixels channel by channel, ``(C, p, p)`` flattened,
    in a tensor of shape ``(N, (H/p)·(W/p), C·p·p)``.

    Parameters
    ----------
    fn : callable
        ``fn(images, patch_size) -> torch.Tensor``.

    Returns
    -------
    CheckResult
    """
    import torch

    from course_utils.vit import patchify

    gen = torch.Generator().manual_seed(0)
    cases = [((2, 3, 32, 48), 16), ((1, 1, 8, 12), 4), ((3, 3, 6, 6), 3)]
    for shape, p in cases:
        x = torch.rand(shape, generator=gen)
        want = patchify(x, p)
        try:
            got = fn(x.clone(), p)
        except Exception as err:  # a learner's function may raise anything
            return _raised("patchify", err)
        got = torch.as_tensor(got)
        if tuple(got.shape) != tuple(want.shape):
            return CheckResult(False, f"for images of shape {shape} and patch size {p} expected tokens of shape "
                                      f"{tuple(want.shape)} (N, patches, C·p·p), got {tuple(got.shape)}.")
        if torch.allclose(got.float(), want):
            continue
        n, c, h, w = shape
        rows, cols = h // p, w // p
        channels_last = x.reshape(n, c, rows, p, cols, p).permute(0, 2, 4, 3, 5, 1).reshape(want.shape)
        column_major = x.reshape(n, c, rows, p, cols, p).permute(0, 4, 2, 1, 3, 5).reshape(want.shape)
        if torch.allclose(got.float(), channels_last):
            detail = ("each token holds the right pixels, but in (p, p, C) order; flatten each patch channel by "
                      "channel, (C, p, p)")
        elif torch.allclose(got.float(), column_major):
            detail = ("the tokens come column by column; they should go row by row: token 1 is the patch at row 0, "
                      "column 1")
        else:
            bad = int((got.float() - want).abs().amax(dim=(0, 2)).argmax())
            detail = (f"token {bad} (patch row {bad // cols}, column {bad % cols}) does not hold that patch's pixels; "
                      "reshape to (N, C, H/p, p, W/p, p) and permute the patch-grid axes to the front")
        return CheckResult(False, f"shapes are right but the values are not, for images of shape {shape}: {detail}.")
    return CheckResult(True, "your patches match course_utils.vit.patchify exactly for three image sizes, "
                             "one to three channels and patch sizes 3, 4 and 16.")


def check_conv_depth(n_layers: int, target: int, kernel: int = 3, stride: int = 1) -> CheckResult:
    """Check the fewest stacked convolutions whose units see at least ``target`` × ``target`` pixels.

    Parameters
    ----------
    n_layers : int
        Your answer.
    target : int
        The receptive field side to reach, in input pixels.
    kernel, stride : int
        Every layer of the stack has this kernel and stride.

    Returns
    -------
    CheckResult
    """
    from course_utils.receptive_field import receptive_fields

    if isinstance(n_layers, bool) or not isinstance(n_layers, (int, np.integer)) or n_layers < 1:
        return CheckResult(False, f"expected a number of layers (a positive whole number), got {n_layers!r}.")
    sizes = [rf.size for rf in receptive_fields([(kernel, stride)] * max(int(n_layers), 64))]
    need = next((i + 1 for i, s in enumerate(sizes) if s >= target), None)
    n = int(n_layers)
    if need is None:
        return CheckResult(False, f"even 64 layers see only {sizes[-1]} pixels; check target and kernel.")
    layers = f"stacked {kernel} × {kernel} convolution{'s' if n > 1 else ''} with stride {stride}"
    if n == need:
        before = f", {n - 1} see only {sizes[n - 2]} × {sizes[n - 2]}" if n > 1 else ""
        return CheckResult(True, f"{n} {layers} see {sizes[n - 1]} × {sizes[n - 1]} pixels{before}.")
    if n < need:
        return CheckResult(False, f"{n} {layers} see only {sizes[n - 1]} × {sizes[n - 1]} pixels, less than "
                                  f"{target}. Each layer adds (kernel − 1) × jump, where the jump is the product "
                                  "of the strides before it.")
    return CheckResult(False, f"{n} layers are enough, but {n - 1} already see {sizes[n - 2]} × {sizes[n - 2]} "
                              f"pixels (≥ {target}): look for the fewest.")
