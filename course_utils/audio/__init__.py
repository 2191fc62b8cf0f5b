"""Audio as vectors (chapter 5.2): the book's MFCC embedding, the book's trumpet, listening.

- :mod:`course_utils.audio.mfcc`      ``mfcc_embedding`` (the book's 40 numbers), ``mfcc_embeddings`` (many clips)
- :mod:`course_utils.audio.trumpet`   the book's trumpet recording, offline or prefetched
- :mod:`course_utils.audio.playback`  ``listen``: audio players in a notebook
- :mod:`course_utils.audio.effects`   ``quiet_librosa_effects``: librosa 1.0's stretch and shift without false alarms
- :mod:`course_utils.audio.sounds`, :mod:`~course_utils.audio.learned` (CREPE), :mod:`~course_utils.audio.figures`
- :mod:`course_utils.audio.sound_effects`  aiSFX, a learned sound-effects embedding (CC BY 4.0), checked before loading

Input checks live in :mod:`course_utils.validation` (``check_audio``).
"""

from course_utils.audio.mfcc import mfcc_embedding, mfcc_embeddings
from course_utils.audio.playback import listen
from course_utils.audio.trumpet import (
    BOOK_TRUMPET_SIMILARITIES,
    TRUMPET_FILENAME,
    book_trumpet_path,
    prefetch_trumpet,
    trumpet_available,
)
from course_utils.validation import check_audio

__all__ = [
    "BOOK_TRUMPET_SIMILARITIES",
    "TRUMPET_FILENAME",
    "book_trumpet_path",
    "check_audio",
    "listen",
    "mfcc_embedding",
    "mfcc_embeddings",
    "prefetch_trumpet",
    "trumpet_available",
]
