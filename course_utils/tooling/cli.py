"""The ``course`` command: run, check and prepare the course.

    course run [--chapter 5.1]   execute the notebooks offline into _build/ (make course)
    course notebooks             print the chapter notebooks of book.yml, one per line
    course doctor                versions, device, caches and which assets are present
    course prefetch              download the book's optional assets while online
    course book                  build the HTML book into _build/html, offline (make book)
    course student               write student copies (solutions stubbed) into _build/student/ (make student)
"""

from __future__ import annotations

import argparse
import sys

from course_utils.tooling.book_config import REPO_ROOT, chapters
from course_utils.tooling.doctor import doctor, prefetch
from course_utils.tooling.html_book import main as build_book_main
from course_utils.tooling.runner import run_course
from course_utils.tooling.student import write_student_copies


def cmd_notebooks(args: argparse.Namespace) -> int:
    for chapter in chapters():
        print(chapter.notebook.relative_to(REPO_ROOT))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    return run_course(only=args.chapter)


def cmd_book(args: argparse.Namespace) -> int:
    return build_book_main()


def cmd_student(args: argparse.Namespace) -> int:
    for path in write_student_copies():
        print(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    return doctor()


def cmd_prefetch(args: argparse.Namespace) -> int:
    return prefetch()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute every chapter notebook offline into _build/")
    run.add_argument("--chapter", action="append", help="only this chapter id (repeatable), e.g. 5.1")
    run.set_defaults(func=cmd_run)
    sub.add_parser("notebooks", help="list the chapter notebooks of book.yml").set_defaults(func=cmd_notebooks)
    sub.add_parser("doctor", help="versions, device, caches and assets").set_defaults(func=cmd_doctor)
    sub.add_parser("prefetch", help="download the book's optional assets (online)").set_defaults(func=cmd_prefetch)
    sub.add_parser("book", help="build the HTML book into _build/html (offline)").set_defaults(func=cmd_book)
    sub.add_parser("student", help="write student copies of the notebooks into _build/student/"
                   ).set_defaults(func=cmd_student)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
