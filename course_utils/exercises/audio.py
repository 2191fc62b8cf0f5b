"""Checks for chapter 5.2 (audio embeddings)."""

from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils.audio import sounds
from course_utils.exercises.base import CheckResult, cos, describe, run_answer
from course_utils.validation import check_sample_rate

#: Seconds one call of a learner's function may run before a check stops it.
ANSWER_SECONDS = 60


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
    sr = check_sample_rate(sr)
    gallery = sounds.instrument_gallery(sr=sr, seed=0)
    loud, worst = {}, (2.0, "", 1.0, None, None)
    for name in ("trumpet", "flute", "plucked string", "pink noise"):
        y = gallery[name]
        vector = _embedding(fn, y, sr, f"the {name}")
        if isinstance(vector, CheckResult):
            return vector
        first = next(iter(loud.values()), vector)
        if vector.shape != first.shape:
            return CheckResult(False, f"expected vectors of one fixed length, got {first.shape[0]} values for the "
                                      f"{next(iter(loud))} and {vector.shape[0]} for the {name}; return the same "
                                      "number of values for every clip.")
        loud[name] = vector
        for gain in (0.25, 0.02):
            quiet = _embedding(fn, (y * gain).astype(np.float32), sr, f"the quiet {name}")
            if isinstance(quiet, CheckResult):
                return quiet
            if quiet.shape != loud[name].shape:
                return CheckResult(False, f"expected a 1-D finite vector of one fixed length, got shape "
                                          f"{quiet.shape} for the quiet {name} and {loud[name].shape} for the loud "
                                          "one; return one vector of the same length for every clip.")
            sim = cos(quiet, loud[name])
            if sim < worst[0]:
                worst = (sim, name, gain, quiet, loud[name])
    sim, name, gain, quiet, reference = worst
    if sim < 0.999:
        with np.errstate(over="ignore", invalid="ignore"):  # values near the float64 limit: report, don't warn
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
            s = cos(loud[a], loud[b])
            if s > top:
                pair, top = (a, b), s
    if top > 0.995:
        return CheckResult(False, f"loudness no longer matters ({sim:.4f} worst case), but {pair[0]} ↔ {pair[1]} "
                                  f"now score {top:.3f}: the embedding no longer tells sounds apart. Keep the "
                                  "timbre coefficients (MFCC 1-19).")
    return CheckResult(True, f"a clip at 1/50 of the volume embeds like the loud one (worst cosine {sim:.4f}), "
                             f"and different sounds stay apart (closest pair {pair[0]} ↔ {pair[1]} {top:.3f}).")


def _embedding(fn: Callable, y: np.ndarray, sr: int, what: str) -> np.ndarray | CheckResult:
    """``fn(y, sr)`` as a finite, non-zero 1-D float64 vector, or the result that says what is wrong with it."""
    out, failed = run_answer("embedding function", ANSWER_SECONDS, fn, y, sr)
    if failed is not None:
        return failed
    if out is None:
        return CheckResult(False, f"your embedding function returned None (NoneType) for {what}; end it with "
                                  "`return` and the clip's vector.")
    try:
        vector = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        return CheckResult(False, f"your embedding function returned {describe(out)} for {what}; return a 1-D "
                                  "array of numbers.")
    if vector.ndim != 1 or vector.size == 0:
        return CheckResult(False, f"expected a 1-D finite vector of one fixed length, got shape {vector.shape} for "
                                  f"{what}; return one vector per clip.")
    if not np.all(np.isfinite(vector)):
        bad = int(np.flatnonzero(~np.isfinite(vector))[0])
        return CheckResult(False, f"your embedding of {what} holds NaN or infinite values (first at dimension "
                                  f"{bad}); look for a division by zero or a log of 0.")
    if not np.any(vector):
        return CheckResult(False, f"your embedding of {what} is an all-zero vector, so its cosine similarity is "
                                  "undefined; return values that describe the sound.")
    return vector


def _mystery_clips(sr: int) -> dict[str, tuple[str, np.ndarray]]:
    """New, quiet clips with a known instrument: a tune the gallery never played."""
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
        Sample rate of the clips.

    Returns
    -------
    CheckResult
    """
    sr = check_sample_rate(sr)
    wrong = []
    clips = _mystery_clips(sr)
    for label, (truth, y) in clips.items():
        answer, failed = run_answer("identify function", ANSWER_SECONDS, identify, y.astype(np.float32), sr)
        if failed is not None:
            return failed
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
