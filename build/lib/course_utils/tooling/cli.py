"""The ``course`` command: run, check and prepare the course.

    course run [--chapter 5.1] [--timeout S]  execute the notebooks offline into _build/ (make course)
    course notebooks                          print the chapter notebooks of book.yml, one per line
    course doctor                             versions, device, caches and which assets are present
    course prefetch                           download the book's optional assets while online
    course book                               build the HTML book into _build/html, offline (make book);
                                              needs the book extra: pip install '.[book]'
    course student [--out DIR] [--force]      write student copies (solutions stubbed), by default
                                              into _build/student/ (make student); refuses to overwrite
                                              a copy edited since (--force does) or the chapter notebooks

It works from any folder of the checkout (or set COURSE_ROOT). A mistake in
book.yml, an unknown chapter id or a folder that cannot be written is printed
as one line, with exit status 2; Ctrl-C stops it with one line and status 130.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

from course_utils.errors import BookBuildError, CourseError
from course_utils.tooling.book_config import chapters, repo_root, select_chapters

# Each command imports what it needs when it runs, the one reason for an import inside a function here:
# `course --help` and `course notebooks` must start in well under a second, without torch, librosa,
# nbclient or Sphinx, and `course book` must say which extra it needs instead of failing on import.

#: The exit status for a usage or set-up mistake (argparse uses the same).
USAGE_ERROR = 2
#: The exit status after Ctrl-C (128 + SIGINT), as a shell reports it.
INTERRUPTED = 130
#: What ``course book`` needs beyond a plain ``pip install .``.
BOOK_EXTRA = "course book needs Jupyter Book 1.x, which a plain install leaves out: pip install '.[book]'"


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


def cmd_notebooks(args: argparse.Namespace) -> int:
    root = repo_root()
    for chapter in select_chapters(chapters(root / "book.yml"), args.chapter):
        print(_shown(chapter.notebook, root))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from course_utils.tooling.runner import DEFAULT_CELL_TIMEOUT, run_course
    return run_course(only=args.chapter, timeout=args.timeout or DEFAULT_CELL_TIMEOUT)


def cmd_book(args: argparse.Namespace) -> int:
    try:
        from course_utils.tooling.html_book import build_book
    except ModuleNotFoundError as err:
        if (err.name or "").split(".")[0] not in ("jupyter_book", "sphinx"):
            raise
        raise CourseError(BOOK_EXTRA) from None
    try:
        index = build_book()
    except BookBuildError as err:  # the book has problems (exit 1), not the set-up (exit 2)
        print(f"course book: {err}", file=sys.stderr)
        return 1
    print(f"\nThe book is in {index.parent}/ — open {index}")
    return 0


def cmd_student(args: argparse.Namespace) -> int:
    from course_utils.tooling.student import write_student_copies
    root = repo_root()
    for path in write_student_copies(args.out, book_yml=root / "book.yml", force=args.force):
        print(_shown(path.resolve(), root))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from course_utils.tooling.doctor import doctor
    return doctor()


def cmd_prefetch(args: argparse.Namespace) -> int:
    from course_utils.tooling.doctor import prefetch
    return prefetch()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of seconds, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1 second, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The ``course`` command's argument parser."""
    parser = argparse.ArgumentParser(prog="course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute every chapter notebook offline into _build/")
    run.add_argument("--chapter", action="append", metavar="ID",
                     help="only this chapter id (repeatable), e.g. 5.1")
    run.add_argument("--timeout", type=_positive_int, metavar="S",
                     help="seconds one cell may run before its chapter is stopped (default 900)")
    run.set_defaults(func=cmd_run)
    notebooks = sub.add_parser("notebooks", help="list the chapter notebooks of book.yml")
    notebooks.add_argument("--chapter", action="append", metavar="ID", help="only this chapter (repeatable)")
    notebooks.set_defaults(func=cmd_notebooks)
    sub.add_parser("doctor", help="versions, device, caches and assets").set_defaults(func=cmd_doctor)
    sub.add_parser("prefetch", help="download the book's optional assets (online)").set_defaults(func=cmd_prefetch)
    sub.add_parser("book", help="build the HTML book into _build/html (offline)").set_defaults(func=cmd_book)
    student = sub.add_parser("student", help="write student copies of the notebooks (default _build/student/)")
    # Text, not Path: Path("") would turn an empty --out into the current folder.
    student.add_argument("--out", metavar="DIR", help="write the copies here instead of _build/student/")
    student.add_argument("--force", action="store_true",
                         help="overwrite copies edited since course student wrote them (their changes are lost)")
    student.set_defaults(func=cmd_student)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``course`` command; return its exit status.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after ``course``; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 1 when a command found problems (a chapter failed, an asset is
        missing, the book has a warning), 2 for a mistake in book.yml, the arguments, the
        set-up or a folder that cannot be written, 130 after Ctrl-C.
    """
    args = build_parser().parse_args(argv)
    try:
        status = args.func(args)
        sys.stdout.flush()  # a reader that stopped reading (course notebooks | head -1) shows up here, not at exit
        return status
    except CourseError as err:
        print(f"course {args.command}: {err}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        print(f"course {args.command}: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to say to a closed pipe
        return 0
    except OSError as err:
        if err.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        print(f"course {args.command}: cannot write {err.filename} ({err.strerror}); make it writable, "
              "or work in a copy of the course you can write to", file=sys.stderr)
        return USAGE_ERROR

if __name__ == "__main__":
    sys.exit(main())
