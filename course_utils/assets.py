"""Where the course's downloadable assets live, whether they are here, and the one error for a missing one.

The course runs offline. The book's own assets (torchvision's ResNet50
weights, librosa's trumpet) are optional: they are used when they are already
in their usual cache, downloaded by ``course prefetch`` when online, and never
fetched while ``COURSE_OFFLINE=1`` (which ``make test`` and ``make course``
set, so that a dead network cannot hang a workshop).

Each module that owns an asset describes it with ``asset_rows()`` returning
:class:`AssetStatus` rows; ``course doctor`` gathers them. This module imports
none of them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch.hub


class AssetUnavailableError(FileNotFoundError):
    """A model or data file the code asked for is not on this machine and could not be fetched.

    A subclass of :class:`FileNotFoundError`, so ``except FileNotFoundError``
    (or ``OSError``) catches every missing asset of the course, whichever
    module raised it.
    """


def offline_mode() -> bool:
    """True when ``COURSE_OFFLINE`` is set to 1/true/yes/on: never try a download."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def torch_hub_checkpoints_dir() -> Path:
    """torch's checkpoint cache (``$TORCH_HOME/hub/checkpoints``), where torchvision keeps weights."""
    return Path(torch.hub.get_dir()) / "checkpoints"


@dataclass(frozen=True)
class AssetStatus:
    """One row of ``course doctor``'s asset table."""

    name: str
    present: bool
    location: str
    needed_for: str
