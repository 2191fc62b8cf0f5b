"""Chapter 5.2's stretch-and-shift plumbing keeps librosa 1.0's noise off stderr, whatever memory the process recycles.

librosa 1.0's ``util.phasor`` (inside the phase vocoder behind ``time_stretch`` and ``pitch_shift``) fills an
``np.empty_like`` complex64 array through a complex128 -> complex64 cast, and NumPy first converts what that memory
already holds. A stale *signalling NaN* bit pattern there raises ``RuntimeWarning: invalid value encountered in cast``,
although every value is overwritten next. Whether the recycled memory holds one depends on what the process did
before, so 5.2's cell 15 wrote that warning to stderr in some runs of the notebooks stage and not in others. Here the
memory always holds such patterns, which makes the check deterministic; the notebook's own plumbing cell is executed.
"""

from __future__ import annotations

import contextlib
import warnings

import librosa
import nbformat
import numpy as np
import pytest

from course_utils.audio.sounds import trumpet_phrase
from course_utils.tooling.book_config import chapters

SR = 22050
PLUMBING_CELL_ID = "quiet-stretch"
LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1


def plumbing():
    """``librosa_stretch_warnings_silenced`` as chapter 5.2 defines it (its cell executed here)."""
    chapter = next(c for c in chapters() if c.id == "5.2")
    cell = next(c for c in nbformat.read(chapter.notebook, as_version=4).cells if c.get("id") == PLUMBING_CELL_ID)
    namespace = {"contextlib": contextlib, "warnings": warnings, "np": np}
    exec(compile(cell.source, f"<{chapter.notebook.name}: cell {PLUMBING_CELL_ID}>", "exec"), namespace)
    return namespace["librosa_stretch_warnings_silenced"]


def make_memory_stale(monkeypatch):
    """``np.empty_like`` hands out complex64 memory holding signalling-NaN patterns, as recycled heap memory can."""
    empty_like = np.empty_like

    def stale(prototype, dtype=None, *args, **kwargs):
        out = empty_like(prototype, dtype, *args, **kwargs)
        if out.dtype == np.complex64:
            out.real[...] = np.uint32(0x7FA00000).view(np.float32)
            out.imag[...] = np.uint32(0x7FA00001).view(np.float32)
        return out

    monkeypatch.setattr(np, "empty_like", stale)


@contextlib.contextmanager
def future_warning_filter_only():
    """The plumbing as it was before np.errstate joined it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"librosa\.effects")
        yield


def stretch_and_shift(context):
    trumpet = trumpet_phrase(sr=SR, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with context():
            slower = librosa.effects.time_stretch(trumpet, rate=0.8)
            higher = librosa.effects.pitch_shift(trumpet, sr=SR, n_steps=12)
    return slower, higher, [f"{w.category.__name__}: {w.message}" for w in caught]


@pytest.mark.skipif(not LIBROSA_1, reason="librosa 0.11's phasor allocates its own output: no stale memory is read")
def test_stale_memory_made_the_old_plumbing_write_to_stderr(monkeypatch):
    make_memory_stale(monkeypatch)
    *_, caught = stretch_and_shift(future_warning_filter_only)
    assert set(caught) == {"RuntimeWarning: invalid value encountered in cast"}   # once per phase vocoder call


def test_plumbing_leaves_nothing_on_stderr_with_stale_memory(monkeypatch):
    make_memory_stale(monkeypatch)
    slower, higher, caught = stretch_and_shift(plumbing())
    assert caught == []
    assert np.isfinite(slower).all() and np.isfinite(higher).all()


def test_stale_memory_does_not_change_the_samples(monkeypatch):
    clean = stretch_and_shift(plumbing())
    make_memory_stale(monkeypatch)
    stale = stretch_and_shift(plumbing())
    for a, b in zip(clean[:2], stale[:2]):
        np.testing.assert_array_equal(a, b)
