"""Comparing a re-executed notebook's outputs with the committed ones, by what they hold.

Printed floats move between CPUs (torch, MKL and oneDNN pick other kernels) and trained numbers
move further, so the root ``conftest.py`` makes nbval compare each output this way:

- **key results** (outputs with :data:`course_utils.key_results.METADATA_KEY` rows): each row's
  value, and its range over seeds, within the tolerance the committed row declares; the table's
  text is not compared again;
- **figures** (``image/png``): the same size and, at the scale of :data:`FIGURE_BLOCK`-pixel
  blocks, an RMS colour difference of at most :data:`FIGURE_RMS`; failing pairs are written to
  :data:`FIGURE_DIFF_DIR`;
- **other text**: exactly, except that a decimal number may move by one unit in its last printed
  place and one in scientific notation by a relative 1e-3 (integers exactly).
"""

from __future__ import annotations

import base64
import io
import math
import re
from pathlib import Path

import numpy as np

from course_utils.key_results import METADATA_KEY

_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.])")



def _numbers_close(ref: str, test: str) -> bool:
    if ref == test:
        return True
    if "." not in ref and "e" not in ref.lower():
        return False  # integers are exact
    try:
        r, t = float(ref), float(test)
    except ValueError:
        return False
    if "e" in ref.lower():
        return math.isclose(r, t, rel_tol=1e-3)
    decimals = len(ref.split(".")[1])
    if "." not in test or len(test.split(".")[1]) != decimals:
        return False
    step = 10.0 ** (-decimals)
    return abs(r - t) <= step * (1 + 1e-6)


def texts_match(reference: str, test: str) -> bool:
    """Whether the freshly computed output text ``test`` agrees with the committed ``reference``.

    Examples
    --------
    >>> texts_match("red ↔ orange: 0.898", "red ↔ orange: 0.899")
    True
    >>> texts_match("red ↔ orange: 0.898", "red ↔ orange: 0.901")
    False
    >>> texts_match("dimension: 2048", "dimension: 2047")
    False
    """
    if reference == test:
        return True
    if _NUMBER.split(reference) != _NUMBER.split(test):
        return False
    return all(_numbers_close(r, t) for r, t in zip(_NUMBER.findall(reference), _NUMBER.findall(test)))


#: Figures are compared at a coarser scale: the mean colour of each FIGURE_BLOCK × FIGURE_BLOCK block of pixels,
#: so that a thin curve drawn one pixel higher (CREPE's pitch on another CPU) counts as the same picture.
FIGURE_BLOCK = 8
#: Largest root-mean-square difference of those block colours (0–255) between a re-drawn figure and the committed one.
#: Measured (8-px blocks): other CPU kernels, another Python's librosa or a retrained model moved no figure by more
#: than 1.8 (the CREPE pitch curves of 5.2); removing one of its four curves moves that figure by 4.4.
FIGURE_RMS = 3.0
#: Where failing figure pairs are written (relative to the current folder).
FIGURE_DIFF_DIR = Path("_build") / "figure-diffs"


def key_result_problems(test_rows: list[dict], ref_rows: list[dict]) -> list[str]:
    """Why the re-executed key results disagree with the committed ones (empty: they agree).

    Each committed row's ``tolerance`` bounds how far ``value``, ``low`` and ``high`` may move; labels must match.

    Examples
    --------
    >>> ref = [{"label": "R@1", "value": 0.62, "tolerance": 0.07, "low": 0.58, "high": 0.65}]
    >>> key_result_problems([dict(ref[0], value=0.66)], ref)
    []
    >>> key_result_problems([dict(ref[0], value=0.70)], ref)
    ["key result 'R@1': value 0.7 is 0.08 from the committed 0.62, beyond its tolerance 0.07"]
    """
    if [r.get("label") for r in test_rows] != [r.get("label") for r in ref_rows]:
        return [f"key results changed: labels {[r.get('label') for r in test_rows]} "
                f"where {[r.get('label') for r in ref_rows]} were committed"]
    problems = []
    for test, ref in zip(test_rows, ref_rows):
        tolerance = float(ref.get("tolerance", 0.0))
        for field in ("value", "low", "high"):
            a, b = test.get(field), ref.get(field)
            if a is None and b is None:
                continue
            if a is None or b is None or not abs(float(a) - float(b)) <= tolerance + 1e-12:
                gap = "missing" if a is None or b is None else f"{abs(float(a) - float(b)):.3g}"
                problems.append(f"key result {ref['label']!r}: {field} {a} is {gap} from the committed {b}, "
                                f"beyond its tolerance {tolerance:.3g}")
    return problems


def _png_bytes(data) -> bytes:
    return base64.b64decode("".join(data) if isinstance(data, list) else data)


def _png(data) -> np.ndarray:
    from matplotlib import image

    return image.imread(io.BytesIO(_png_bytes(data)), format="png")[..., :3]


def _blocks(picture: np.ndarray) -> np.ndarray:
    """The mean colour of every FIGURE_BLOCK × FIGURE_BLOCK block (a ragged edge is dropped)."""
    k = FIGURE_BLOCK
    h, w = picture.shape[0] // k * k, picture.shape[1] // k * k
    return picture[:h, :w].astype(float).reshape(h // k, k, w // k, k, -1).mean(axis=(1, 3))


def figure_problem(test_png, ref_png, name: str = "figure") -> str | None:
    """Why a re-drawn figure differs from the committed one beyond :data:`FIGURE_RMS`, or None.

    ``test_png`` and ``ref_png`` are base64-encoded PNGs, as a notebook stores them; when they differ,
    both are written to :data:`FIGURE_DIFF_DIR` as ``<name>-new.png`` and ``<name>-committed.png``.
    """
    a, b = _png(test_png), _png(ref_png)
    if a.shape != b.shape:
        problem = f"{name}: the figure is {a.shape[1]}×{a.shape[0]} px, the committed one {b.shape[1]}×{b.shape[0]} px"
    else:
        rms = float(np.sqrt(np.mean((_blocks(a) - _blocks(b)) ** 2)) * 255)
        if rms <= FIGURE_RMS:
            return None
        problem = f"{name}: the figure differs from the committed one by RMS {rms:.1f} (tolerance {FIGURE_RMS})"
    try:
        FIGURE_DIFF_DIR.mkdir(parents=True, exist_ok=True)
        for suffix, png in (("committed", ref_png), ("new", test_png)):
            (FIGURE_DIFF_DIR / f"{name}-{suffix}.png").write_bytes(_png_bytes(png))
        problem += f" (both written to {FIGURE_DIFF_DIR}/{name}-*.png)"
    except OSError:
        pass
    return problem


def _matching(test: dict, ref: dict) -> dict:
    """``test``, with each text that matches ``ref``'s under :func:`texts_match` replaced by ``ref``'s."""
    return {key: ref[key] if isinstance(value, str) and isinstance(ref.get(key), str) and texts_match(ref[key], value)
            else value for key, value in test.items()}


def align_within_tolerance(test_outputs: list, ref_outputs: list, problems: list | None = None,
                           name: str = "output") -> list:
    """Return ``test_outputs`` with each output that agrees with its reference replaced by it.

    Outputs are compared pairwise in order, when both have the same output type, by the module's
    rules; what disagrees is described in ``problems`` (when given) and left alone, so the
    comparison that follows fails.
    """
    problems = [] if problems is None else problems
    aligned = []
    for i, test in enumerate(test_outputs):
        ref = ref_outputs[i] if i < len(ref_outputs) else None
        if ref is None or test.get("output_type") != ref.get("output_type"):
            aligned.append(test)
            continue
        test_rows = (test.get("metadata") or {}).get(METADATA_KEY)
        ref_rows = (ref.get("metadata") or {}).get(METADATA_KEY)
        if test_rows is not None and ref_rows is not None:
            found = key_result_problems(test_rows.get("rows", []), ref_rows.get("rows", []))
            problems.extend(found)
            aligned.append(test if found else type(test)(dict(test, data=ref["data"], metadata=ref["metadata"])))
            continue
        new = _matching(test, ref)
        test_data, ref_data = test.get("data"), ref.get("data")
        if isinstance(test_data, dict) and isinstance(ref_data, dict):
            new["data"] = _matching(test_data, ref_data)
            if "image/png" in test_data and "image/png" in ref_data:
                found = figure_problem(test_data["image/png"], ref_data["image/png"], f"{name}-{i}")
                if found:
                    problems.append(found)
                else:
                    new["data"]["image/png"] = ref_data["image/png"]
        aligned.append(type(test)(new))  # keeps nbformat's NotebookNode type
    return aligned
