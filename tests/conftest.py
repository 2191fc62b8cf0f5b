"""Fixtures several test modules share."""

from pathlib import Path

import pytest


@pytest.fixture
def unwritable_build(monkeypatch):
    """Make every folder under a ``_build`` path fail to be created, as a read-only checkout would.

    The tests run as root, where chmod cannot refuse a write, so ``Path.mkdir`` is made to raise instead.
    """
    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if "_build" in self.parts:
            raise PermissionError(13, "Permission denied", str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
