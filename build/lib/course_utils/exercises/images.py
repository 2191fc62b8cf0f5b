"""Checks for chapter 5.1 (image embeddings)."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from PIL import ImageOps

from course_utils.exercises.base import CheckResult, describe, raised
from course_utils.image.io import to_rgb_image


def _unseen_edit(photo):
    """An edit the 5.1 gallery never contains: zoomed in on 80 %, mirrored and turned grey."""
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
    if not isinstance(originals, Mapping):
        return CheckResult(False, f"expected originals as a dict of name → photo, got {describe(originals)}; pass "
                                  "the dict of original photos used to build the gallery.")
    if not originals:
        return CheckResult(False, "originals is empty; pass the dict of original photos used to build the gallery.")
    wrong, answers = [], {}
    for name, photo in originals.items():
        try:
            answer = lookup(_unseen_edit(photo))
        except Exception as err:  # a learner's function may raise anything
            return raised("lookup function", err)
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
    if not isinstance(answer, (str, np.str_)):
        return CheckResult(False, f"expected the name of an edit as a string, such as 'flip', got {describe(answer)}.")
    if isinstance(labels, (str, bytes)) or not isinstance(labels, (Sequence, np.ndarray)):
        return CheckResult(False, f"expected labels as a list of gallery labels, got {describe(labels)}; pass "
                                  "the gallery's labels unchanged.")
    labels = list(labels)
    if not all(isinstance(label, (str, np.str_)) for label in labels):
        odd = next(label for label in labels if not isinstance(label, (str, np.str_)))
        return CheckResult(False, f"expected every label to be a string such as 'cat (flip)', got {describe(odd)}; "
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
    means = _edit_similarities(S, labels)
    if not means:
        return CheckResult(False, "found no 'name (edit)' labels whose original 'name' is also in the gallery; "
                                  "pass the gallery's labels unchanged.")
    ranked = sorted(means, key=means.get)
    table = ", ".join(f"{k} {means[k]:.3f}" for k in ranked)
    if answer not in means:
        return CheckResult(False, f"{answer!r} is not one of the gallery's edits {sorted(means)}.")
    if means[answer] <= means[ranked[0]]:  # a tie for the lowest counts
        return CheckResult(True, f"{answer} copies stay least similar to their originals. Mean similarity "
                                 f"original ↔ copy, lowest first: {table}.")
    lower = sum(means[k] < means[answer] for k in ranked)
    return CheckResult(False, f"{answer} copies average {means[answer]:.3f} with their originals, and "
                              f"{lower} edit{'s' if lower > 1 else ''} score{'' if lower > 1 else 's'} lower. "
                              "For each edit, average S[original, its copy] over the photos and pick the lowest.")


