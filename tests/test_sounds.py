"""course_utils.audio.sounds: the synthetic instruments are deterministic and sound like what they claim."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.audio import sounds

SR = 22050


def harmonic_level(y: np.ndarray, freq: float, sr: int = SR, width: float = 8.0) -> float:
    """Largest spectral magnitude within ±width Hz of freq."""
    spectrum = np.abs(np.fft.rfft(y * np.hanning(y.size)))
    f = np.fft.rfftfreq(y.size, 1 / sr)
    band = (f > freq - width) & (f < freq + width)
    return float(spectrum[band].max())


def spectral_slope(y: np.ndarray, sr: int = SR, lo: float = 100.0, hi: float = 5000.0) -> float:
    """Slope of log power against log frequency, fitted between lo and hi Hz (0 white, -1 pink, -2 brown)."""
    power = np.abs(np.fft.rfft(y)) ** 2
    f = np.fft.rfftfreq(y.size, 1 / sr)
    band = (f >= lo) & (f <= hi)
    return float(np.polyfit(np.log10(f[band]), np.log10(power[band]), 1)[0])


@pytest.mark.parametrize("make", [
    lambda seed: sounds.flute_tone(440.0, seed=seed),
    lambda seed: sounds.plucked_string(196.0, seed=seed),
    lambda seed: sounds.noise(0.5, seed=seed),
    lambda seed: sounds.trumpet_phrase(seed=seed),
])
def test_same_seed_same_samples_other_seed_other_samples(make):
    np.testing.assert_array_equal(make(1), make(1))
    assert not np.array_equal(make(1), make(2))


def test_sounds_do_not_touch_the_global_random_state():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    sounds.instrument_gallery(seed=7)
    assert np.random.random() == expected


@pytest.mark.parametrize("y", [
    sounds.brass_tone(440.0, 0.3), sounds.flute_tone(440.0, 0.3), sounds.clarinet_tone(440.0, 0.3),
    sounds.plucked_string(440.0, 0.3), sounds.noise(0.3, color="brown"),
])
def test_every_sound_is_finite_float32_in_unit_range_and_of_the_asked_length(y):
    assert y.dtype == np.float32 and y.shape == (round(0.3 * SR),)
    assert np.all(np.isfinite(y)) and 0.1 < np.abs(y).max() <= 1.0


def test_note_names_follow_equal_temperament():
    assert sounds.note_to_hz("A4") == pytest.approx(440.0)
    assert sounds.note_to_hz("A5") == pytest.approx(880.0)
    assert sounds.note_to_hz("C4") == pytest.approx(261.626, abs=1e-3)
    assert sounds.note_to_hz("Bb3") == pytest.approx(sounds.note_to_hz("A#3"))
    for bad in ["H4", "A", "Ax", ""]:
        with pytest.raises(ValueError, match="note name"):
            sounds.note_to_hz(bad)


def test_clarinet_has_odd_harmonics_only():
    y = sounds.clarinet_tone(220.0, duration=1.0)
    assert harmonic_level(y, 440.0) < 0.05 * harmonic_level(y, 660.0)
    assert harmonic_level(y, 880.0) < 0.05 * harmonic_level(y, 1100.0)


def test_brass_has_strong_even_harmonics_and_flute_is_almost_pure():
    brass = sounds.brass_tone(220.0, duration=1.0)
    assert harmonic_level(brass, 440.0) > 0.3 * harmonic_level(brass, 220.0)
    flute = sounds.flute_tone(440.0, duration=1.0)
    assert harmonic_level(flute, 1320.0) < 0.1 * harmonic_level(flute, 440.0)


def test_plucked_string_sounds_at_its_pitch_and_decays():
    y = sounds.plucked_string(196.0, duration=1.5)
    # the period is the lag (between 1 ms and 20 ms) where the signal best matches itself
    seg = y[:8192].astype(np.float64)
    lags = np.arange(22, 442)
    corr = [np.dot(seg[:-lag], seg[lag:]) for lag in lags]
    assert SR / lags[int(np.argmax(corr))] == pytest.approx(196.0, rel=0.02)
    first, last = np.sqrt(np.mean(y[:2205] ** 2)), np.sqrt(np.mean(y[-4410:-2205] ** 2))
    assert last < first / 3


@pytest.mark.parametrize("color, slope", [("white", 0.0), ("pink", -1.0), ("brown", -2.0)])
def test_noise_colours_have_their_spectral_slope(color, slope):
    assert spectral_slope(sounds.noise(2.0, color=color, seed=0)) == pytest.approx(slope, abs=0.25)


def test_phrase_length_follows_beats_and_tempo_and_transpose_moves_the_pitch():
    notes = [("A3", 1.0), ("A3", 1.0)]
    y = sounds.phrase(sounds.clarinet_tone, notes, tempo_bpm=120)
    assert y.size == SR                                        # 2 beats at 120 bpm = 1 s
    up = sounds.phrase(sounds.clarinet_tone, notes, tempo_bpm=120, transpose=12)
    assert harmonic_level(up, 440.0) > 10 * harmonic_level(up, 220.0)
    with pytest.raises(ValueError, match="empty melody"):
        sounds.phrase(sounds.clarinet_tone, [])


def test_gallery_has_every_instrument_and_noise():
    gallery = sounds.instrument_gallery()
    assert list(gallery) == ["trumpet", "flute", "clarinet", "plucked string",
                             "white noise", "pink noise", "brown noise"]
    assert all(y.dtype == np.float32 and y.ndim == 1 for y in gallery.values())


@pytest.mark.parametrize("call, match", [
    (lambda: sounds.brass_tone(12000.0), r"expected freq < 11025.0, got 12000.0 .*Nyquist"),
    (lambda: sounds.brass_tone(-5.0), "expected freq > 0.0"),
    (lambda: sounds.brass_tone(float("nan")), "freq contains NaN or infinite values"),
    (lambda: sounds.brass_tone(440.0, duration=0), r"expected duration > 0.0, got 0"),
    (lambda: sounds.brass_tone(440.0, duration=1e-6), "at least one sample"),
    (lambda: sounds.brass_tone(440.0, duration=22050), "in seconds, not samples"),
    (lambda: sounds.flute_tone(440.0, sr=0), "expected sr as a whole number of samples per second"),
    (lambda: sounds.noise(1.0, color="blue"), "color 'white', 'pink' or 'brown'"),
    (lambda: sounds.noise(1.0, seed=-1), "expected seed >= 0"),
    (lambda: sounds.phrase(sounds.brass_tone, tempo_bpm=0), "expected tempo_bpm > 0.0"),
    (lambda: sounds.phrase(sounds.brass_tone, [("A4", -1.0)]), r"beats of note 0 \('A4'\) > 0.0"),
])
def test_bad_arguments_raise_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: sounds.noise(1.0, seed=1.5), r"expected seed as an integer, got 1.5 \(float\)"),
    (lambda: sounds.brass_tone(True), r"expected freq as a number, got True \(bool\)"),
    (lambda: sounds.noise(1.0, color=3), "expected color as a string"),
    (lambda: sounds.phrase(sounds.trumpet_phrase(), [("A4", 1.0)]), "expected tone as a function"),
    (lambda: sounds.phrase(sounds.brass_tone, transpose=0.5), "expected transpose as an integer"),
])
def test_wrong_kinds_of_argument_raise_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_numpy_scalars_are_accepted_like_python_numbers():
    # the same rule as everywhere in the course: NumPy integers and floats are numbers
    np.testing.assert_array_equal(
        sounds.flute_tone(np.float64(440.0), np.float32(0.5), np.int64(22050), seed=np.int64(3)),
        sounds.flute_tone(440.0, 0.5, 22050, seed=3))
    np.testing.assert_array_equal(sounds.noise(0.5, sr=22050.0), sounds.noise(0.5, sr=22050))
