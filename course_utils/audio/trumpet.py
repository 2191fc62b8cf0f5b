"""The book's trumpet: librosa's example recording, found offline or fetched on request (chapter 5.2).

The book loads ``librosa.ex('trumpet')``, which downloads a small Ogg file into
librosa's cache the first time. :func:`book_trumpet_path` finds it there
(``$LIBROSA_DATA_DIR`` or librosa's default cache) without touching the
network; :func:`prefetch_trumpet` downloads it while you are online.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import librosa
import pooch

from course_utils.assets import AssetStatus, offline_mode
from course_utils.errors import AssetUnavailableError

#: The book's trumpet: file name and sha256 in librosa's example registry.
TRUMPET_FILENAME = "sorohanro_-_solo-trumpet-06.ogg"
TRUMPET_SHA256 = "8374466fd3951d24509da6e799b132a0db0bdeda69d99c69d989a6888d3d727d"
#: The three similarities printed in the book (original↔slower, original↔higher, slower↔higher).
BOOK_TRUMPET_SIMILARITIES = {"original ↔ slower": 1.000, "original ↔ higher": 0.978, "slower ↔ higher": 0.980}


def _librosa_cache_dirs() -> list[Path]:
    """Where ``librosa.ex`` keeps its files: ``$LIBROSA_DATA_DIR``, else pooch's OS cache."""
    env = os.environ.get("LIBROSA_DATA_DIR")
    return ([Path(env).expanduser()] if env else []) + [Path(pooch.os_cache("librosa"))]


def book_trumpet_path() -> Path:
    """Path of the book's trumpet recording (``librosa.ex('trumpet')``) in librosa's cache; never downloads.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    course_utils.errors.AssetUnavailableError
        (a ``FileNotFoundError``) if the file is not in the cache, or its
        checksum does not match librosa's registry.
    """
    searched = _librosa_cache_dirs()
    for folder in searched:
        candidate = folder / TRUMPET_FILENAME
        if candidate.is_file() and hashlib.sha256(candidate.read_bytes()).hexdigest() == TRUMPET_SHA256:
            return candidate
    raise AssetUnavailableError(
        f"the book's trumpet ({TRUMPET_FILENAME}) is not in librosa's cache (looked in "
        f"{', '.join(str(d) for d in searched)}); run `course prefetch` while online, or set LIBROSA_DATA_DIR "
        "to a folder that holds it"
    )


def trumpet_available() -> bool:
    """Whether the book's trumpet is in librosa's cache (never downloads)."""
    try:
        book_trumpet_path()
    except AssetUnavailableError:
        return False
    return True


def prefetch_trumpet() -> Path:
    """Download the book's trumpet into librosa's cache if it is not there yet (for ``course prefetch``).

    Returns
    -------
    pathlib.Path
        Where the file is.

    Raises
    ------
    course_utils.errors.AssetUnavailableError
        If it is not cached and cannot be downloaded (or ``COURSE_OFFLINE`` is set).
    """
    if trumpet_available():
        return book_trumpet_path()
    if offline_mode():
        raise AssetUnavailableError(
            f"the book's trumpet is not cached and COURSE_OFFLINE is set; unset it and run "
            f"`course prefetch` while online, or set LIBROSA_DATA_DIR to a folder holding {TRUMPET_FILENAME}"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Path(librosa.ex("trumpet"))
    except Exception as err:  # pooch raises requests/urllib/OSError subclasses
        raise AssetUnavailableError(
            f"could not download the book's trumpet ({type(err).__name__}: {err}); "
            "run `course prefetch` on a machine that is online, or set LIBROSA_DATA_DIR "
            f"to a folder holding {TRUMPET_FILENAME}"
        ) from None


def asset_rows() -> list[AssetStatus]:
    """``course doctor``'s row for the book's trumpet (never downloads)."""
    present = trumpet_available()
    location = book_trumpet_path() if present else _librosa_cache_dirs()[0] / TRUMPET_FILENAME
    return [AssetStatus(name="librosa trumpet example", present=present, location=str(location),
                        needed_for="5.2: reproducing the book's 1.000 / 0.978 / 0.980 exactly")]
