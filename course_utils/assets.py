"""Where the course's downloadable assets live, and whether they are here.

The course runs offline. The book's own assets (torchvision's ResNet50
weights, librosa's trumpet) are optional: they are used when they are already
in their usual cache, downloaded by ``course prefetch`` when online, and never
fetched while ``COURSE_OFFLINE=1`` (which ``make test`` and ``make course``
set, so that a dead network cannot hang a workshop).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class AssetUnavailableError(RuntimeError):
    """A model or data file the code asked for is not on this machine and could not be fetched."""


def offline_mode() -> bool:
    """True when ``COURSE_OFFLINE`` is set to 1/true/yes: never try a download."""
    return os.environ.get("COURSE_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def torch_hub_checkpoints_dir() -> Path:
    """torch's checkpoint cache (``$TORCH_HOME/hub/checkpoints``), where torchvision keeps weights."""
    import torch.hub

    return Path(torch.hub.get_dir()) / "checkpoints"


@dataclass(frozen=True)
class AssetStatus:
    """One row of ``course doctor``'s asset table."""

    name: str
    present: bool
    location: str
    needed_for: str


def asset_report() -> list[AssetStatus]:
    """What the course can use on this machine right now, without downloading anything."""
    from course_utils import models

    rows = []
    for spec in models.list_image_encoders():
        path = spec.checkpoint_path()
        rows.append(
            AssetStatus(
                name=f"image model {spec.name}",
                present=path is not None and path.is_file(),
                location=str(path) if path else "(inside a pip package)",
                needed_for=spec.needed_for,
            )
        )
    for extra in _extra_reports():
        rows.append(extra)
    return rows


def _extra_reports() -> list[AssetStatus]:
    """Asset rows contributed by the audio module, when it is installed."""
    try:
        from course_utils import audio
    except ImportError:
        return []
    report = getattr(audio, "asset_status", None)
    return list(report()) if callable(report) else []
