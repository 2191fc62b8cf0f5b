"""Where the course's downloadable assets live, whether they are here, and the one error for a missing one.

The course runs offline. The book's own assets (torchvision's ResNet50 weights, librosa's trumpet) are
optional: used when already in their usual cache, downloaded by ``course prefetch`` when online, never fetched
while ``COURSE_OFFLINE=1`` (set by ``make test`` and ``make course``). Each module that owns an asset describes
it with ``asset_rows()`` returning :class:`AssetStatus` rows, which ``course doctor`` gathers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import torch.hub

# Re-exported: chapter 5.3 catches a missing asset as ``course_utils.assets.AssetUnavailableError``.
from course_utils.errors import AssetUnavailableError

__all__ = ["AssetStatus", "AssetUnavailableError", "offline_mode", "torch_hub_checkpoints_dir"]


#: How ``COURSE_OFFLINE`` may be written (any case): offline, or online (unset counts as online).
_OFFLINE_ON, _OFFLINE_OFF = ("1", "true", "yes", "on", "y"), ("0", "false", "no", "off", "n", "")


def offline_mode() -> bool:
    """True when ``COURSE_OFFLINE`` is set to 1/true/yes/on/y: never try a download.

    Raises
    ------
    ValueError
        If ``COURSE_OFFLINE`` is set to anything else (0/false/no/off/n or empty mean online).
    """
    setting = os.environ.get("COURSE_OFFLINE", "").strip().lower()
    if setting not in _OFFLINE_ON + _OFFLINE_OFF:
        raise ValueError(f"COURSE_OFFLINE is {os.environ['COURSE_OFFLINE']!r}, expected one of "
                         f"{', '.join(_OFFLINE_ON)} (offline) or {', '.join(_OFFLINE_OFF[:-1])} or empty (online)")
    return setting in _OFFLINE_ON


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
