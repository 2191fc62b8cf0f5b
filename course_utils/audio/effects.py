"""librosa's time stretch and pitch shift without librosa 1.0's false alarms on stderr (chapter 5.2).

librosa 1.0's ``time_stretch`` (which ``pitch_shift`` also calls) passes
``hop_length`` and ``n_fft`` to its own ``phase_vocoder``, which 1.0 deprecates,
so every call warns (``FutureWarning``) although the caller passed neither.
Its ``util.phasor`` also fills an ``np.empty_like`` complex64 array through a
complex128 -> complex64 cast, and NumPy first converts what that memory already
holds: a stale *signalling NaN* bit pattern there raises ``RuntimeWarning:
invalid value encountered in cast``, although every value is overwritten next.
Whether it does depends on the process's earlier allocations, so it comes and
goes. librosa 0.11 does neither.

:func:`quiet_librosa_effects` hides exactly that ``FutureWarning`` and switches
off NumPy's invalid-value reports inside its block only (and in this thread):
any other warning still shows, and a real NaN still shows in the samples.
"""

from __future__ import annotations

import contextlib
import warnings
from typing import Iterator

import numpy as np


@contextlib.contextmanager
def quiet_librosa_effects() -> Iterator[None]:
    """A block in which ``librosa.effects.time_stretch`` and ``pitch_shift`` write nothing to stderr.

    Returns
    -------
    context manager
        Hides librosa 1.0's internal ``hop_length``/``n_fft`` deprecation
        warning and NumPy's invalid-value reports, inside the block only.

    Examples
    --------
    >>> import librosa
    >>> from course_utils.audio.sounds import trumpet_phrase
    >>> with quiet_librosa_effects():
    ...     slower = librosa.effects.time_stretch(trumpet_phrase(), rate=0.8)
    >>> slower.size
    55125
    """
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"librosa\.effects",
                                message=r"The `(hop_length|n_fft)` parameter is deprecated")
        yield
