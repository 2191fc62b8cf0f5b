"""Instrument-like sounds made in code, so the audio chapter works offline.

Every function returns a deterministic mono ``float32`` array in ``[-1, 1]`` at
the sample rate asked for (22 050 Hz by default); those that use randomness
take a ``seed`` and never touch NumPy's global random state. They are simple
additive or physical models, *recognisably different in timbre*, which is what
an MFCC embedding measures:

- :func:`brass_tone`     many strong harmonics, a bright attack, vibrato (trumpet-like)
- :func:`flute_tone`     an almost pure sine with breath noise (flute-like)
- :func:`clarinet_tone`  odd harmonics only, a hollow sound (clarinet-like)
- :func:`plucked_string` a Karplus-Strong string that decays (guitar-like)
- :func:`noise`          white, pink or brown noise (no pitch at all)
- :func:`phrase`         a short melody played by any of the tone functions
- :func:`instrument_gallery` the same melody on every instrument, plus noises

Examples
--------
>>> from course_utils.audio.sounds import brass_tone
>>> y = brass_tone(440.0, duration=0.5)
>>> y.shape, y.dtype.name
((11025,), 'float32')
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np
from scipy.signal import lfilter

from course_utils.validation import check_sample_rate, check_scalar, check_sequence

#: Sample rate used when none is given (librosa's default).
DEFAULT_SR = 22050
#: Longest sound these functions make, in seconds: a longer request is almost always samples passed as seconds.
MAX_DURATION_S = 600.0

#: A short phrase in F (like the book's jazz trumpet loop): note names and beats.
F_PHRASE: tuple[tuple[str, float], ...] = (
    ("F4", 1.0), ("A4", 0.5), ("C5", 0.5), ("D5", 1.0), ("C5", 0.5), ("A4", 0.5), ("F4", 1.0),
)

_NOTE_OFFSETS = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}


def note_to_hz(note: str) -> float:
    """Frequency in Hz of a note name such as ``"A4"``, ``"F#3"`` or ``"Bb4"`` (A4 = 440 Hz, equal temperament).

    Parameters
    ----------
    note : str
        Letter ``A``–``G``, an optional ``#`` or ``b``, and an octave number.

    Returns
    -------
    float

    Examples
    --------
    >>> round(note_to_hz("A4"), 1), round(note_to_hz("C5"), 1)
    (440.0, 523.3)
    """
    text = str(note).strip()
    if len(text) < 2 or text[0].upper() not in _NOTE_OFFSETS:
        raise ValueError(f"expected a note name like 'A4' or 'Bb3', got {note!r}")
    semitone = _NOTE_OFFSETS[text[0].upper()]
    rest = text[1:]
    if rest[:1] in ("#", "b"):
        semitone += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    try:
        octave = int(rest)
    except ValueError:
        raise ValueError(f"expected a note name like 'A4' or 'Bb3', got {note!r}") from None
    return 440.0 * 2.0 ** ((semitone + 12 * (octave - 4)) / 12.0)


def _check_tone_args(freq: object, duration: object, sr: object) -> tuple[float, int, int]:
    """Check the arguments every sound shares; return ``freq``, ``sr`` and the length in samples."""
    sr = check_sample_rate(sr)
    duration = check_scalar(duration, "duration", numbers.Real, min_val=0.0, include_boundaries="right")
    if duration > MAX_DURATION_S:
        raise ValueError(f"expected a duration of at most {MAX_DURATION_S:g} seconds, got {duration:g}; "
                         "duration is in seconds, not samples")
    n = int(round(duration * sr))
    if n < 1:
        raise ValueError(f"expected a duration of at least one sample (1/{sr} s), got {duration!r} seconds")
    try:
        freq = check_scalar(freq, "freq", numbers.Real, min_val=0.0, max_val=sr / 2, include_boundaries="neither")
    except ValueError as err:
        raise ValueError(f"{err} (freq must lie between 0 and the Nyquist frequency, sr / 2 = {sr / 2:g} Hz)") from None
    return freq, sr, n


def _check_seed(seed: object) -> int:
    return check_scalar(seed, "seed", numbers.Integral, min_val=0)


def _envelope(n: int, sr: int, attack: float, release: float) -> np.ndarray:
    """A linear attack and a linear release at the end."""
    env = np.ones(n)
    a = max(1, min(n, int(attack * sr)))
    env[:a] *= np.linspace(0.0, 1.0, a, endpoint=False)
    r = max(1, min(n - a, int(release * sr)))
    env[n - r:] *= np.linspace(1.0, 0.0, r)
    return env


def _harmonic_tone(freq: float, n: int, sr: int, amplitudes: Sequence[float], vibrato_rate: float,
                   vibrato_depth: float) -> np.ndarray:
    """Sum of harmonics k·f0 with a shared vibrato; harmonics above Nyquist are dropped."""
    t = np.arange(n) / sr
    # Vibrato as a frequency modulation: the phase is the integral of 2π f(t).
    inst_freq = freq * (1.0 + vibrato_depth * np.sin(2 * np.pi * vibrato_rate * t))
    phase = 2 * np.pi * np.cumsum(inst_freq) / sr
    y = np.zeros(n)
    for k, amp in enumerate(amplitudes, start=1):
        if amp == 0 or k * freq * (1 + vibrato_depth) >= sr / 2:
            continue
        y += amp * np.sin(k * phase)
    return y


def _normalise(y: np.ndarray, peak: float = 0.8) -> np.ndarray:
    top = np.max(np.abs(y))
    return (y * (peak / top) if top > 0 else y).astype(np.float32)


def brass_tone(freq: float, duration: float = 0.5, sr: int = DEFAULT_SR) -> np.ndarray:
    """A trumpet-like tone: 16 strong harmonics, a bright attack and vibrato (5.5 Hz, 0.6 % deep).

    The upper harmonics are louder during the attack than in the sustain, so
    the tone "blares" at the start of each note, as a brass instrument does.

    Parameters
    ----------
    freq : float
        Fundamental frequency in Hz.
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    numpy.ndarray of float32, shape (round(duration * sr),)

    Examples
    --------
    >>> brass_tone(349.23, duration=0.25).shape
    (5512,)
    """
    freq, sr, n = _check_tone_args(freq, duration, sr)
    k = np.arange(1, 17)
    sustain = k ** -0.6 * np.exp(-0.12 * k)          # rich, slowly falling spectrum
    y = _harmonic_tone(freq, n, sr, sustain, 5.5, 0.006)
    bright = _harmonic_tone(freq, n, sr, np.where(k > 3, 0.5 * k ** -0.5, 0.0), 5.5, 0.006)
    t = np.arange(n) / sr
    y = y + bright * np.exp(-t / 0.06)                 # extra upper harmonics in the attack
    return _normalise(y * _envelope(n, sr, attack=0.03, release=0.05))


def flute_tone(freq: float, duration: float = 0.5, sr: int = DEFAULT_SR, seed: int = 0) -> np.ndarray:
    """A flute-like tone: a nearly pure sine, two weak harmonics and breath noise (4 % of the tone's level).

    Parameters
    ----------
    freq : float
        Fundamental frequency in Hz.
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz.
    seed : int
        Seed of the breath noise.

    Returns
    -------
    numpy.ndarray of float32

    Examples
    --------
    >>> np.array_equal(flute_tone(440.0, seed=1), flute_tone(440.0, seed=1))
    True
    """
    freq, sr, n = _check_tone_args(freq, duration, sr)
    rng = np.random.default_rng(_check_seed(seed))
    y = _harmonic_tone(freq, n, sr, [1.0, 0.12, 0.05], vibrato_rate=4.5, vibrato_depth=0.004)
    # Breath: white noise smoothed by a one-pole low-pass filter.
    hiss = lfilter([0.3], [1.0, -0.7], rng.standard_normal(n))
    y = y + 0.04 * hiss / (np.std(hiss) + 1e-12)
    return _normalise(y * _envelope(n, sr, attack=0.08, release=0.08))


def clarinet_tone(freq: float, duration: float = 0.5, sr: int = DEFAULT_SR) -> np.ndarray:
    """A clarinet-like tone: odd harmonics only (1, 3, ..., 15), falling as 1/k, a hollow sound.

    Parameters
    ----------
    freq : float
        Fundamental frequency in Hz.
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz.

    Returns
    -------
    numpy.ndarray of float32

    Examples
    --------
    >>> clarinet_tone(220.0, duration=0.1).dtype.name
    'float32'
    """
    freq, sr, n = _check_tone_args(freq, duration, sr)
    k = np.arange(1, 16)
    amps = np.where(k % 2 == 1, 1.0 / k, 0.0)
    y = _harmonic_tone(freq, n, sr, amps, vibrato_rate=5.0, vibrato_depth=0.002)
    return _normalise(y * _envelope(n, sr, attack=0.05, release=0.06))


def plucked_string(freq: float, duration: float = 0.5, sr: int = DEFAULT_SR, seed: int = 0) -> np.ndarray:
    """A plucked string (Karplus–Strong): a noise burst circulating in a delay line, losing 0.4 % per trip.

    Parameters
    ----------
    freq : float
        Fundamental frequency in Hz (rounded to a whole-sample delay).
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz.
    seed : int
        Seed of the initial noise burst (the "pluck").

    Returns
    -------
    numpy.ndarray of float32

    Examples
    --------
    >>> y = plucked_string(196.0, duration=1.0)
    >>> bool(abs(y[:2000]).max() > abs(y[-2000:]).max())   # it decays
    True
    """
    freq, sr, n = _check_tone_args(freq, duration, sr)
    rng = np.random.default_rng(_check_seed(seed))
    delay = max(2, int(round(sr / freq)))
    burst = np.zeros(n)
    burst[: min(delay, n)] = rng.uniform(-1.0, 1.0, min(delay, n))
    # y[i] = x[i] + damping * (y[i-delay] + y[i-delay-1]) / 2, as one IIR filter, with damping 0.996.
    a = np.zeros(delay + 2)
    a[0] = 1.0
    a[delay] = a[delay + 1] = -0.996 / 2
    y = lfilter([1.0], a, burst)
    return _normalise(y * _envelope(n, sr, attack=0.002, release=0.02))


def noise(duration: float = 1.0, sr: int = DEFAULT_SR, color: str = "white", seed: int = 0) -> np.ndarray:
    """Noise with no pitch: ``"white"`` (flat), ``"pink"`` (1/f) or ``"brown"`` (1/f²).

    Parameters
    ----------
    duration : float
        Length in seconds.
    sr : int
        Sample rate in Hz.
    color : {"white", "pink", "brown"}
        Spectral slope of the noise.
    seed : int
        Seed of the random generator.

    Returns
    -------
    numpy.ndarray of float32

    Examples
    --------
    >>> noise(0.5, color="pink", seed=3).shape
    (11025,)
    """
    _, sr, n = _check_tone_args(1.0, duration, sr)
    color = check_scalar(color, "color", str)
    if color not in ("white", "pink", "brown"):
        raise ValueError(f"expected color 'white', 'pink' or 'brown', got {color!r}")
    white = np.random.default_rng(_check_seed(seed)).standard_normal(n)
    if color == "white":
        y = white
    elif color == "pink":
        # Shape the spectrum by 1/sqrt(f) so the power falls as 1/f.
        spectrum = np.fft.rfft(white)
        f = np.fft.rfftfreq(n, d=1.0 / sr)
        spectrum[1:] /= np.sqrt(f[1:] / f[1])
        spectrum[0] = 0.0
        y = np.fft.irfft(spectrum, n)
    else:  # brown
        y = lfilter([1.0], [1.0, -0.995], white)   # leaky integration of white noise
        y -= y.mean()
    return _normalise(y * _envelope(n, sr, attack=0.01, release=0.01), peak=0.5)


def phrase(
    tone: Callable[..., np.ndarray],
    notes: Sequence[tuple[str, float]] = F_PHRASE,
    tempo_bpm: float = 150.0,
    sr: int = DEFAULT_SR,
    transpose: int = 0,
    **tone_kwargs,
) -> np.ndarray:
    """Play a melody with one of the tone functions and join the notes.

    Parameters
    ----------
    tone : callable
        ``brass_tone``, ``flute_tone``, ``clarinet_tone`` or ``plucked_string``
        (any function ``tone(freq, duration, sr, **kwargs)``).
    notes : sequence of (str, float)
        Note names and their lengths in beats.
    tempo_bpm : float
        Beats per minute.
    sr : int
        Sample rate in Hz.
    transpose : int
        Semitones to shift every note by (12 = one octave up).
    **tone_kwargs
        Passed to ``tone``; a ``seed`` is varied per note so that noisy notes are not copies.

    Returns
    -------
    numpy.ndarray of float32
        The phrase, peak-normalised to 0.8.

    Examples
    --------
    >>> y = phrase(clarinet_tone, [("C4", 1.0), ("G4", 1.0)], tempo_bpm=120)
    >>> y.shape
    (22050,)
    """
    tone = check_scalar(tone, "tone", Callable)
    notes = check_sequence(notes, "notes", "(note, beats) pairs")
    if not notes:
        raise ValueError("expected at least one (note, beats) pair, got an empty melody")
    tempo_bpm = check_scalar(tempo_bpm, "tempo_bpm", numbers.Real, min_val=0.0, include_boundaries="right")
    transpose = check_scalar(transpose, "transpose", numbers.Integral)
    sr = check_sample_rate(sr)
    if "seed" in tone_kwargs:
        tone_kwargs["seed"] = _check_seed(tone_kwargs["seed"])
    parts = []
    for i, (name, beats) in enumerate(notes):
        kwargs = dict(tone_kwargs)
        if "seed" in kwargs:
            kwargs["seed"] = kwargs["seed"] * 1000 + i
        beats = check_scalar(beats, f"the beats of note {i} ({name!r})", numbers.Real, min_val=0.0,
                             include_boundaries="right")
        freq = note_to_hz(name) * 2.0 ** (transpose / 12.0)
        parts.append(tone(freq, beats * (60.0 / tempo_bpm), sr, **kwargs))
    return _normalise(np.concatenate(parts))


def trumpet_phrase(sr: int = DEFAULT_SR, seed: int = 0) -> np.ndarray:
    """The course's stand-in for the book's trumpet: :data:`F_PHRASE` on :func:`brass_tone`, plus a little breath noise.

    Parameters
    ----------
    sr : int
        Sample rate in Hz.
    seed : int
        Seed of the breath noise.

    Returns
    -------
    numpy.ndarray of float32, 2 s long (5 beats at 150 bpm)

    Examples
    --------
    >>> trumpet_phrase().shape
    (44100,)
    """
    rng = np.random.default_rng(_check_seed(seed))
    y = phrase(brass_tone, F_PHRASE, sr=sr).astype(np.float64)
    y += 0.005 * rng.standard_normal(y.size)
    return _normalise(y)


def instrument_gallery(sr: int = DEFAULT_SR, seed: int = 0) -> dict[str, np.ndarray]:
    """The same phrase on each synthetic instrument, plus three kinds of noise of the same length.

    Parameters
    ----------
    sr : int
        Sample rate in Hz.
    seed : int
        Base seed for the sounds that use randomness.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"trumpet"``, ``"flute"``, ``"clarinet"``, ``"plucked string"``,
        ``"white noise"``, ``"pink noise"`` and ``"brown noise"``.

    Examples
    --------
    >>> list(instrument_gallery())[:3]
    ['trumpet', 'flute', 'clarinet']
    """
    trumpet = trumpet_phrase(sr=sr, seed=seed)       # checks sr and seed
    length = trumpet.size / sr
    return {
        "trumpet": trumpet,
        "flute": phrase(flute_tone, sr=sr, seed=seed),
        "clarinet": phrase(clarinet_tone, sr=sr, transpose=-12),
        "plucked string": phrase(plucked_string, sr=sr, seed=seed, transpose=-12),
        "white noise": noise(length, sr=sr, color="white", seed=seed),
        "pink noise": noise(length, sr=sr, color="pink", seed=seed + 1),
        "brown noise": noise(length, sr=sr, color="brown", seed=seed + 2),
    }
