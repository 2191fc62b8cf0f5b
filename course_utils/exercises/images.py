"""Checks for chapter 5.1 (image embeddings)."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from PIL import ImageOps

from course_utils.exercises.base import CheckResult, describe, run_answer
from course_utils.image.io import to_rgb_image
from course_utils.validation import check_encoder, check_sequence

#: Seconds one call of a learner's function may run before a check stops it.
ANSWER_SECONDS = 60


def _unseen_edit(photo):
    """An edit the 5.1 gallery never contains: zoomed in on 80 %, mirrored and turned grey."""
    photo = to_rgb_image(photo)
    w, h = photo.size
    zoomed = photo.crop((w // 10, h // 10, w // 10 + w * 8 // 10, h // 10 + h * 8 // 10))
    return ImageOps.grayscale(ImageOps.mirror(zoomed)).convert("RGB")


def check_nearest_neighbour(lookup: Callable, originals: Mapping[str, object]) -> CheckResult:
    """Check a reverse-image-lookup function on copies it has never seen.

    Every original photo is zoomed in, mirrored and turned grey (an edit the
    gallery does not hold) and passed to ``lookup``, which must return the name
    of the photo it came from (a gallery label such as ``"cat (flip)"`` also
    counts as ``"cat"``); each call may run :data:`ANSWER_SECONDS`.

    Parameters
    ----------
    lookup : callable
        ``lookup(image) -> str``: the name of the gallery photo nearest to ``image``.
    originals : mapping of str to image
        The original photos, by name (the notebook's ``originals``).

    Returns
    -------
    CheckResult
    """
    if not isinstance(originals, Mapping):
        return CheckResult(False, f"expected originals as a dict of name → photo, got {describe(originals)}; pass "
                                  "the dict of original photos used to build the gallery.")
    if not originals:
        return CheckResult(False, "originals is empty; pass the dict of original photos used to build the gallery.")
    wrong, answers = [], {}
    for name, photo in originals.items():
        query = _unseen_edit(photo)
        answer, failed = run_answer("lookup function", ANSWER_SECONDS, lookup, query)
        if failed is not None:
            return failed
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


#: The two edits of Exercise 2, as the exercise text defines them; the check redoes them itself.
EXERCISE_EDITS = {
    "grey": lambda photo: ImageOps.grayscale(to_rgb_image(photo)).convert("RGB"),
    "rotate": lambda photo: to_rgb_image(photo).rotate(90, expand=True),
}

#: How far the learner's S may sit from the check's own cosine (batching moves float32 results ~1e-6).
SIMILARITY_TOLERANCE = 0.01


def check_hardest_edit(answer: str, similarity: np.ndarray, labels: Sequence[str], encoder,
                       originals: Mapping[str, object]) -> CheckResult:
    """Check which edit, grey or a 90° rotation, lowers the similarity between a photo and its copy the most.

    The check redoes the measurement: it makes the grey and the rotated copy of
    every photo in ``originals`` (:data:`EXERCISE_EDITS`), embeds them with
    ``encoder`` and averages cosine(original, copy) per edit. The learner's
    matrix must hold those same cosines (within :data:`SIMILARITY_TOLERANCE`),
    and ``answer`` must be the edit with the lowest mean.

    Parameters
    ----------
    answer : str
        ``"grey"`` or ``"rotate"``.
    similarity : array, shape (n, n)
        The learner's cosine similarities (the notebook's ``S_edits``).
    labels : sequence of str
        Its labels: ``"name"`` for an original, ``"name (edit)"`` for a copy.
    encoder : object with ``embed(list_of_images) -> (n, d) array``
        The image encoder the exercise names.
    originals : mapping of str to image
        The original photos, by name.

    Returns
    -------
    CheckResult
    """
    encoder = check_encoder(encoder)
    if not isinstance(answer, (str, np.str_)):
        return CheckResult(False, f"expected the name of an edit as a string, such as 'grey', got {describe(answer)}.")
    try:
        labels = check_sequence(labels, "labels", "gallery labels")
    except TypeError as err:
        return CheckResult(False, f"{err}; pass the gallery's labels unchanged.")
    if not all(isinstance(label, (str, np.str_)) for label in labels):
        odd = next(label for label in labels if not isinstance(label, (str, np.str_)))
        return CheckResult(False, f"expected every label to be a string such as 'cat (grey)', got {describe(odd)}; "
                                  "pass the gallery's labels unchanged.")
    labels = [str(label) for label in labels]
    try:
        S = np.asarray(similarity, dtype=np.float64)
    except (TypeError, ValueError):
        return CheckResult(False, f"expected the similarity matrix as an array of numbers, got "
                                  f"{describe(similarity)}; pass S from the gallery cells.")
    if S.ndim != 2 or S.shape[0] != S.shape[1] or S.shape[0] != len(labels):
        return CheckResult(False, f"expected a square similarity matrix with one row per label ({len(labels)}), "
                                  f"got shape {S.shape}; pass S and labels from the gallery cells.")
    if not np.all(np.isfinite(S)):
        i, j = (int(v) for v in np.argwhere(~np.isfinite(S))[0])
        return CheckResult(False, f"the similarity matrix holds NaN or infinite values (first S[{i}, {j}] = "
                                  f"{S[i, j]}, {labels[i]!r} ↔ {labels[j]!r}), so no edit can be ranked; "
                                  "recompute S with cosine_similarity_matrix from finite, non-zero embeddings.")
    if not isinstance(originals, Mapping) or not originals:
        return CheckResult(False, f"expected originals as a non-empty dict of name → photo, got "
                                  f"{describe(originals)}; pass the notebook's originals.")
    if answer not in EXERCISE_EDITS:
        return CheckResult(False, f"{answer!r} is not one of the exercise's edits {sorted(EXERCISE_EDITS)}.")
    row = {label: i for i, label in enumerate(labels)}
    missing = [f"{n} ({k})" for n in originals for k in EXERCISE_EDITS if n not in row or f"{n} ({k})" not in row]
    if missing:
        return CheckResult(False, f"labels lack {missing[0]!r} ({len(missing)} copies missing); label every "
                                  "original 'name' and its copies 'name (grey)' and 'name (rotate)'.")
    # The measurement itself, redone: embed each photo and its two copies, cosine per pair.
    names = list(originals)
    images = [to_rgb_image(originals[n]) for n in names]
    images += [edit(originals[n]) for edit in EXERCISE_EDITS.values() for n in names]
    e = np.asarray(encoder.embed(images), dtype=np.float64)
    e /= np.linalg.norm(e, axis=1, keepdims=True)
    n = len(names)
    measured = {kind: e[:n] @ e[n * (k + 1):n * (k + 2)].T for k, kind in enumerate(EXERCISE_EDITS)}
    for kind, m in measured.items():
        for i, name in enumerate(names):
            yours = S[row[name], row[f"{name} ({kind})"]]
            if abs(yours - m[i, i]) > SIMILARITY_TOLERANCE:
                return CheckResult(False, f"your similarity matrix gives {name} ↔ {name} ({kind}) = {yours:.3f}, but "
                                          f"embedding the two with the encoder gives {m[i, i]:.3f}. Build S from "
                                          "encoder.embed of the images, in the order of the labels, with "
                                          "cosine_similarity_matrix.")
    means = {kind: float(np.mean(np.diag(m))) for kind, m in measured.items()}
    ranked = sorted(means, key=means.get)
    table = ", ".join(f"{k} {means[k]:.3f}" for k in ranked)
    if means[answer] <= means[ranked[0]]:
        return CheckResult(True, f"{answer} copies stay least similar to their originals. Mean similarity "
                                 f"original ↔ copy, lowest first: {table}.")
    return CheckResult(False, f"{answer} copies average {means[answer]:.3f} with their originals, and "
                              f"{ranked[0]} copies score lower ({means[ranked[0]]:.3f}). "
                              "For each edit, average S[original, its copy] over the photos and pick the lowest.")
