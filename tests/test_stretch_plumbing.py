"""``quiet_librosa_effects`` (5.2's stretch and shift) keeps librosa 1.0's noise off stderr, whatever memory is recycled.

librosa 1.0's ``util.phasor`` (inside the phase vocoder behind ``time_stretch`` and ``pitch_shift``) fills an
``np.empty_like`` complex64 array through a complex128 -> complex64 cast, and NumPy first converts what that memory
already holds. A stale *signalling NaN* bit pattern there raises ``RuntimeWarning: invalid value encountered in cast``,
although every value is overwritten next. Whether the recycled memory holds one depends on what the process did
before, so 5.2's cell 15 wrote that warning to stderr in some runs of the notebooks stage and not in others. Here the
memory always holds such patterns, which makes the check deterministic.
"""

from __future__ import annotations

import contextlib
import warnings

import librosa
import numpy as np
import pytest

from course_utils.audio.effects import quiet_librosa_effects
from course_utils.audio.sounds import trumpet_phrase

SR = 22050
LIBROSA_1 = int(librosa.__version__.split(".")[0]) >= 1


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
    slower, higher, caught = stretch_and_shift(quiet_librosa_effects)
    assert caught == []
    assert np.isfinite(slower).all() and np.isfinite(higher).all()


def test_stale_memory_does_not_change_the_samples(monkeypatch):
    clean = stretch_and_shift(quiet_librosa_effects)
    make_memory_stale(monkeypatch)
    stale = stretch_and_shift(quiet_librosa_effects)
    for a, b in zip(clean[:2], stale[:2]):
        np.testing.assert_array_equal(a, b)


def test_other_warnings_still_show_inside_the_block():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with quiet_librosa_effects():
            warnings.warn("a learner's own warning", FutureWarning, stacklevel=1)
            np.divide(np.ones(1), np.zeros(1))                     # divide-by-zero is not switched off
    assert [w.category for w in caught] == [FutureWarning, RuntimeWarning]


def test_invalid_value_reports_come_back_after_the_block():
    with quiet_librosa_effects():
        pass
    with pytest.warns(RuntimeWarning, match="invalid value"):
        np.sqrt(np.array([-1.0]))
