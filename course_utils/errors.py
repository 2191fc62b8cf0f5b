"""Every exception of the course, under one root.

``except CourseError`` catches any problem the course itself reports (the ``course`` command prints it as
one line and exits with status 2); each class also keeps the built-in base a reader would reach for first
(``FileNotFoundError`` for a missing asset, ``ValueError`` for a bad ``book.yml``). Wrong arguments to lesson
functions raise plain ``TypeError`` / ``ValueError`` from :mod:`course_utils.validation`.
"""

from __future__ import annotations

__all__ = ["CourseError", "AssetUnavailableError", "CourseFileMissingError", "BookConfigError", "UnknownChapterError",
           "BookBuildError", "StudentCopyError", "OutputFolderError", "ChangedCopiesError", "SearchError"]


class CourseError(Exception):
    """A problem with how the course is set up or called, rather than a bug."""


class AssetUnavailableError(CourseError, FileNotFoundError):
    """A model or data file is not on this machine and could not be fetched (offline, or the download failed)."""


class CourseFileMissingError(CourseError, FileNotFoundError):
    """The checkout, its ``book.yml`` or a chapter notebook named there cannot be found."""


class BookConfigError(CourseError, ValueError):
    """``book.yml`` cannot be used as it is; the message names the file, the entry and what to fix."""


class UnknownChapterError(CourseError, ValueError):
    """A chapter id that ``book.yml`` does not list."""


class BookBuildError(CourseError, RuntimeError):
    """The book could not be built (a Sphinx warning or error, or a page that needs the network)."""


class StudentCopyError(CourseError, ValueError):
    """A chapter notebook cannot be turned into a student copy (e.g. a markdown cell tagged ``solution``)."""


class OutputFolderError(CourseError, OSError):
    """The folder for the student copies cannot be created or written to, or must not be."""


class ChangedCopiesError(CourseError, FileExistsError):
    """The output folder holds files that ``course student`` did not write or that were edited since."""


class SearchError(CourseError, ValueError):
    """``course search`` cannot go on: no index at ``--db``, a damaged or busy index, or a file that is not media."""
