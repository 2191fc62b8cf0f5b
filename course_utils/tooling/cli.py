"""The ``course`` command: run, check and prepare the course.

    course run [--chapter 5.1] [--timeout S]  execute the notebooks offline into _build/ (make course)
    course notebooks                          print the chapter notebooks of book.yml, one per line
    course doctor                             versions, device, caches and which assets are present
    course prefetch                           download the book's optional assets while online
    course book                               build the HTML book into _build/html, offline (make book)
    course student [--out DIR] [--force]      write student copies (solutions stubbed), by default
                                              into _build/student/ (make student); refuses to overwrite
                                              a copy edited since (--force does) or the chapter notebooks

It works from any folder of the checkout (or set COURSE_ROOT). A mistake in
book.yml, an unknown chapter id or a folder that cannot be written is printed
as one line, with exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_utils.tooling.book_config import CourseError, chapters, repo_root, select_chapters
from course_utils.tooling.doctor import doctor, prefetch
from course_utils.tooling.html_book import main as build_book_main
from course_utils.tooling.runner import DEFAULT_CELL_TIMEOUT, run_course
from course_utils.tooling.student import write_student_copies

#: The exit status for a usage or set-up mistake (argparse uses the same).
USAGE_ERROR = 2


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path


def cmd_notebooks(args: argparse.Namespace) -> int:
    root = repo_root()
    for chapter in select_chapters(chapters(root / "book.yml"), args.chapter):
        print(_shown(chapter.notebook, root))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return run_course(only=args.chapter, timeout=args.timeout)


def cmd_book(args: argparse.Namespace) -> int:
    return build_book_main()


def cmd_student(args: argparse.Namespace) -> int:
    root = repo_root()
    for path in write_student_copies(args.out, book_yml=root / "book.yml", force=args.force):
        print(_shown(path.resolve(), root))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    return doctor()


def cmd_prefetch(args: argparse.Namespace) -> int:
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
    run.add_argument("--timeout", type=_positive_int, default=DEFAULT_CELL_TIMEOUT, metavar="S",
                     help=f"seconds one cell may run before its chapter is stopped (default {DEFAULT_CELL_TIMEOUT})")
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
        missing), 2 for a mistake in book.yml, the arguments or the output folder.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as err:
        print(f"course {args.command}: {err}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
