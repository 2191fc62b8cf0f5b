"""The book's trumpet: librosa's example recording, found offline or fetched on request (chapter 5.2).

The book loads ``librosa.ex('trumpet')``, which downloads a small Ogg file
into librosa's cache the first time. :func:`book_trumpet_path` finds it there
(``$LIBROSA_DATA_DIR`` or librosa's default cache) without touching the
network; :func:`prefetch_trumpet` downloads it while you are online.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import librosa
import numpy as np
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
    dirs = []
    env = os.environ.get("LIBROSA_DATA_DIR")
    if env:
        dirs.append(Path(env).expanduser())
    dirs.append(Path(pooch.os_cache("librosa")))
    return dirs


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def book_trumpet_path(download: bool = False) -> Path:
    """Path of the book's trumpet recording (``librosa.ex('trumpet')``).

    Parameters
    ----------
    download : bool
        If False (the default) only librosa's cache is searched and the
        network is never used. If True and the file is not cached,
        ``librosa.ex('trumpet')`` downloads it.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    course_utils.errors.AssetUnavailableError
        (a ``FileNotFoundError``) if the file is not in the cache (or its
        checksum does not match librosa's registry) and ``download`` is
        False, ``COURSE_OFFLINE`` is set (downloads are then never tried), or
        the download fails.
    TypeError
        If ``download`` is not a bool.
    """
    if not isinstance(download, (bool, np.bool_)):
        raise TypeError(f"expected download as True or False, got {download!r} ({type(download).__name__})")
    searched = _librosa_cache_dirs()
    for folder in searched:
        candidate = folder / TRUMPET_FILENAME
        if candidate.is_file() and _sha256(candidate) == TRUMPET_SHA256:
            return candidate
    if download:
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
    where = ", ".join(str(d) for d in searched) or "no cache folder"
    raise AssetUnavailableError(
        f"the book's trumpet ({TRUMPET_FILENAME}) is not in librosa's cache (looked in {where}); "
        "run `course prefetch` while online, or set LIBROSA_DATA_DIR to a folder that holds it"
    )


def trumpet_available() -> bool:
    """Whether the book's trumpet is in librosa's cache (never downloads).

    Returns
    -------
    bool
    """
    try:
        book_trumpet_path(download=False)
    except AssetUnavailableError:
        return False
    return True


def prefetch_trumpet() -> Path:
    """Download the book's trumpet into librosa's cache if it is not there yet.

    Meant for ``course prefetch`` (and a line in ``course doctor``).

    Returns
    -------
    pathlib.Path
        Where the file is.

    Raises
    ------
    course_utils.errors.AssetUnavailableError
        If it is not cached and cannot be downloaded (or ``COURSE_OFFLINE`` is set).
    """
    return book_trumpet_path(download=True)


def asset_rows() -> list[AssetStatus]:
    """``course doctor``'s row for the book's trumpet (never downloads).

    Returns
    -------
    list of course_utils.assets.AssetStatus
    """
    try:
        location = str(book_trumpet_path(download=False))
        present = True
    except AssetUnavailableError:
        dirs = _librosa_cache_dirs()
        location = str(dirs[0] / TRUMPET_FILENAME) if dirs else TRUMPET_FILENAME
        present = False
    return [AssetStatus(name="librosa trumpet example", present=present, location=location,
                        needed_for="5.2: reproducing the book's 1.000 / 0.978 / 0.980 exactly")]

