"""How a re-executed notebook is compared with its committed outputs: printed text within ±1 in the last digit,
key results within their declared tolerances, figures by what they show; and every committed cell is covered."""

import re

import nbformat
import pytest

from course_utils.tooling.nbval_tolerance import (
    FIGURE_DIFF_DIR,
    align_within_tolerance,
    figure_problem,
    key_result_problems,
    texts_match,
)


@pytest.mark.parametrize("ref,test,expected", [
    ("red ↔ orange: 0.898", "red ↔ orange: 0.898", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.899", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.897", True),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.900", False),
    ("red ↔ orange: 0.898", "red ↔ orange: 0.90", False),
    ("red ↔ orange: 0.898", "red ↔ blue: 0.898", False),
    ("dim 2048", "dim 2049", False),
    ("shape (1, 3, 224, 224)", "shape (1, 3, 224, 224)", True),
    ("loss 1.234e-03", "loss 1.235e-03", True),
    ("loss 1.234e-03", "loss 1.300e-03", False),
    ("[0.    0.    0.416]", "[0.    0.    0.417]", True),
    ("-0.001", "0.000", True),
    ("a 0.5 b 0.25", "a 0.5 b 0.25 c", False),
])
def test_texts_match(ref, test, expected):
    assert texts_match(ref, test) is expected


def test_align_replaces_only_matching_texts():
    ref = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.500\n"})]
    close = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.501\n"})]
    far = [nbformat.from_dict({"output_type": "stream", "name": "stdout", "text": "x 0.510\n"})]
    assert align_within_tolerance(close, ref)[0]["text"] == "x 0.500\n"
    assert align_within_tolerance(far, ref)[0]["text"] == "x 0.510\n"


def test_align_handles_rich_outputs():
    ref = [nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": "v 1.00"}, "metadata": {}})]
    test = [nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": "v 1.01"}, "metadata": {}})]
    assert align_within_tolerance(test, ref)[0]["data"]["text/plain"] == "v 1.00"


# --- key results: compared at full precision within the committed tolerance ---------------------------------

def _table(rows):
    from course_utils.key_results import METADATA_KEY
    return nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": "a table"},
                               "metadata": {METADATA_KEY: {"chapter": None, "rows": rows}}})


ROW = {"label": "R@1 held-out", "value": 0.62, "tolerance": 0.07, "low": 0.58, "high": 0.65}


def test_key_result_within_its_tolerance_passes_and_takes_the_committed_text():
    problems = []
    moved = _table([dict(ROW, value=0.66, high=0.70)])
    moved["data"]["text/plain"] = "another text"
    aligned = align_within_tolerance([moved], [_table([ROW])], problems)
    assert problems == [] and aligned[0]["data"]["text/plain"] == "a table"


@pytest.mark.parametrize("field,value", [("value", 0.70), ("low", 0.50), ("high", 0.73)])
def test_key_result_beyond_its_tolerance_fails_even_when_the_text_is_identical(field, value):
    problems = []
    align_within_tolerance([_table([dict(ROW, **{field: value})])], [_table([ROW])], problems)
    assert len(problems) == 1 and field in problems[0] and "beyond its tolerance 0.07" in problems[0]


def test_a_deterministic_key_result_is_held_to_its_tight_tolerance():
    ref = {"label": "red ↔ orange", "value": 0.845273, "tolerance": 1e-4}
    assert key_result_problems([dict(ref, value=0.84535)], [ref]) == []
    assert key_result_problems([dict(ref, value=0.8455)], [ref])     # prints as 0.845 or 0.846 either way: still caught


def test_renamed_or_missing_key_results_fail():
    assert key_result_problems([dict(ROW, label="R@5")], [ROW])
    assert key_result_problems([], [ROW])


# --- figures: compared by what they show ------------------------------------------------------------------------

def _figure_png(shift=0.0, drop_curve=False, cmap=None):
    import base64
    import io

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(8, 3.8), dpi=100)
    t = np.linspace(0, 2, 400)
    for k in range(3 if drop_curve else 4):
        ax.plot(t, np.sin(3 * t + k) + 2.5 * k + shift, lw=1.5)
    if cmap:
        ax.imshow(np.arange(64).reshape(8, 8), extent=(0, 2, -1, 9), cmap=cmap, aspect="auto")
    ax.set(xlabel="time (s)", ylabel="pitch", title="four curves")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def test_a_curve_drawn_a_pixel_higher_is_the_same_figure(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert figure_problem(_figure_png(shift=0.01), _figure_png()) is None


@pytest.mark.parametrize("change", [{"drop_curve": True}, {"shift": 0.8}, {"cmap": "viridis"}])
def test_a_figure_that_shows_something_else_fails_and_is_written_out(tmp_path, monkeypatch, change):
    monkeypatch.chdir(tmp_path)
    ref = _figure_png(cmap="gray") if "cmap" in change else _figure_png()
    problem = figure_problem(_figure_png(**change), ref, "demo")
    assert problem and "RMS" in problem
    assert (tmp_path / FIGURE_DIFF_DIR / "demo-new.png").exists()


# --- the committed notebooks -------------------------------------------------------------------------------------

def _committed_cells():
    from course_utils.tooling.book_config import chapters, repo_root
    for chapter in chapters(repo_root() / "book.yml"):
        nb = nbformat.read(chapter.notebook, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                yield chapter.notebook.name, i, cell


def test_every_committed_key_result_declares_its_tolerance():
    from course_utils.key_results import METADATA_KEY
    rows = [row for _, _, cell in _committed_cells() for out in cell.get("outputs", [])
            for row in (out.get("metadata", {}).get(METADATA_KEY) or {}).get("rows", [])]
    assert len(rows) > 50
    assert [r["label"] for r in rows if not isinstance(r.get("tolerance"), float) or r["tolerance"] < 0] == []


def test_every_cell_left_out_of_the_text_comparison_is_covered():
    """nbval-ignore-output only where the numbers are checked another way: a media player (no numbers), a cell that
    asserts what it prints (the book-asset cells, which print only where the asset is), or the book trumpet's key
    results (the same numbers the cells before them assert)."""
    from course_utils.key_results import METADATA_KEY
    uncovered, listed = [], []
    for name, i, cell in _committed_cells():
        if "nbval-ignore-output" not in cell.metadata.get("tags", []):
            continue
        listed.append(f"{name} cell {i}")
        texts = [out.get("text", "") if out.get("output_type") == "stream" else out.get("data", {}).get("text/plain", "")
                 for out in cell.get("outputs", [])]
        numbers = [n for t in texts for n in re.findall(r"(?<![\w.])-?\d+\.\d+", t)]
        media = all("text/html" in out.get("data", {}) and "<audio" in out["data"]["text/html"]
                    for out in cell.get("outputs", [])) and cell.get("outputs")
        asserted = re.search(r"^\s*assert\b", cell.source, re.M)
        keyed = any(METADATA_KEY in out.get("metadata", {}) for out in cell.get("outputs", []))
        if numbers and not (media or asserted or keyed):
            uncovered.append(f"{name} cell {i}: prints {numbers[:4]} with no assertion or key result")
    print("cells left out of nbval's text comparison:", ", ".join(listed))
    assert uncovered == []
