"""The ``course`` command: run, check and prepare the course.

    course run [--chapter 5.1] [--timeout S]  execute the notebooks offline into _build/ (make course)
    course notebooks                          print the chapter notebooks of book.yml, one per line
    course doctor                             versions, device, caches and which assets are present
    course prefetch                           download the book's optional assets while online
    course book                               build the HTML book into _build/html, offline (make book);
                                              needs the book extra: pip install '.[book]'
    course student [--out DIR] [--force | --keep-edited]
                                              write student copies (solutions stubbed), by default
                                              into _build/student/ (make student); refuses to overwrite
                                              a copy edited since (--force does; --keep-edited keeps it
                                              and writes the others, as make lab does) or the chapter
                                              notebooks
    course workshop-check [--no-execute] [--no-book-assets]
                                              the instructor's dry run: versions against the constraints,
                                              assets, every chapter executed and timed, student copies,
                                              disk and memory; prints READY (exit 0) or what to fix (1)
    course wheelhouse [--out DIR] [--platform P] [--python 3.X]
                                              download every wheel the course needs for a room without
                                              internet (make wheelhouse; make course WHEELHOUSE=DIR)
    course search index DIR --db PATH         embed every image, sound and video under DIR into the index
                                              folder PATH (incremental; Ctrl-C keeps what is done)
    course search query FILE --db PATH [-k 10]
                                              the indexed files nearest to FILE, with their cosines
    course search dups --db PATH [--threshold T]
                                              groups of near-duplicates (cosine >= T)

It works from any folder of the checkout (or set COURSE_ROOT). A mistake in
book.yml, an unknown chapter id or a folder that cannot be written is printed
as one line, with exit status 2; Ctrl-C stops it with one line and status 130.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import sys
from pathlib import Path

from course_utils.errors import BookBuildError, CourseError
from course_utils.tooling.book_config import chapters, repo_root, select_chapters, shown_path

# Each command imports what it needs when it runs: `course --help` and `course notebooks` must start
# without torch, librosa, nbclient or Sphinx, and `course book` must name the extra it needs.

#: The exit status for a usage or set-up mistake (argparse uses the same).
USAGE_ERROR = 2


def cmd_notebooks(args: argparse.Namespace) -> int:
    root = repo_root()
    for chapter in select_chapters(chapters(root / "book.yml"), args.chapter):
        print(shown_path(chapter.notebook, root))
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
        raise CourseError("course book needs Jupyter Book 1.x, which a plain install leaves out: "
                          "pip install '.[book]'") from None
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
    written = write_student_copies(args.out, force=args.force, keep_edited=args.keep_edited)
    for path in written:
        print(shown_path(path, root))
    if args.keep_edited:
        out = Path(args.out) if args.out is not None else root / "_build" / "student"
        for chapter in chapters(root / "book.yml"):
            if out / chapter.notebook.name not in written:
                print(f"{shown_path(out / chapter.notebook.name, root)}: kept as you left it (it differs "
                      "from what course student wrote there)")
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:  # course doctor and course prefetch
    from course_utils.tooling import doctor
    return doctor.prefetch() if args.command == "prefetch" else doctor.doctor()


def cmd_workshop_check(args: argparse.Namespace) -> int:
    from course_utils.tooling.runner import DEFAULT_CELL_TIMEOUT
    from course_utils.tooling.workshop import workshop_check
    return workshop_check(execute=not args.no_execute, book_assets=not args.no_book_assets,
                          timeout=args.timeout or DEFAULT_CELL_TIMEOUT)


def cmd_wheelhouse(args: argparse.Namespace) -> int:
    from course_utils.tooling.wheelhouse import build_wheelhouse
    return build_wheelhouse(args.out, args.platform or ["this"], args.python)


def cmd_search(args: argparse.Namespace) -> int:
    try:
        return _search(args)
    except sqlite3.DatabaseError as err:   # damage found past the first page, which SearchIndex checks on opening
        raise CourseError(f"the index database in {Path(args.db).absolute()} is damaged ({err}); move the folder "
                          "aside and run course search index again to rebuild it") from None


def _search(args: argparse.Namespace) -> int:
    from course_utils.search.media import course_embedders
    from course_utils.search.store import DUPLICATE_THRESHOLDS, IndexSummary, SearchIndex, index_lock
    if args.backend == "faiss" and (args.qdrant_path or args.qdrant_url):
        raise CourseError("--qdrant-path and --qdrant-url go with --backend qdrant; add it, or leave them out")
    where = {"backend": args.backend, "qdrant_path": args.qdrant_path, "qdrant_url": args.qdrant_url}
    if args.search_command == "index":
        summary = IndexSummary()
        with index_lock(args.db), SearchIndex(args.db, create=True, **where) as index:
            _print_notes(index.notes)
            try:
                index.index(args.folder, course_embedders(), summary, progress=sys.stderr.isatty())
            except KeyboardInterrupt:
                print(f"course search index: interrupted; {summary.embedded} of the {summary.to_embed} new or "
                      f"changed files are embedded and saved in {index.db}: run the same command again to resume",
                      file=sys.stderr)
                return 130
            print(f"indexed {Path(args.folder).absolute()} into {index.db}: {summary.new} new, {summary.changed} "
                  f"changed (re-embedded), {summary.unchanged} unchanged (not read), {summary.removed} removed "
                  f"(deleted), {len(summary.skipped)} skipped")
        if summary.skipped:
            print("skipped (not media, or could not be decoded):")
            for path, reason in summary.skipped:
                print(f"  {path}: {reason}")
        if summary.embedded + summary.unchanged == 0:
            print(f"course search index: found no image, sound or video under {Path(args.folder).absolute()}; "
                  "point it at a folder of media", file=sys.stderr)
            return 1
        return 0
    with SearchIndex(args.db, **where) as index:
        _print_notes(index.notes)
        if args.search_command == "query":
            hits = index.query(args.file, course_embedders(), args.k)
            print(f"{'rank':>4}  {'cosine':>6}  {'kind':5}  path")
            for rank, hit in enumerate(hits, 1):
                print(f"{rank:>4}  {hit.cosine:6.3f}  {hit.modality:5}  {hit.path}")
            return 0
        groups = index.duplicates(args.threshold)
    thresholds = (", ".join(f"{model} {t}" for model, t in DUPLICATE_THRESHOLDS.items())
                  if args.threshold is None else str(args.threshold))
    if not groups:
        print(f"no near-duplicates: no two files have cosine >= the threshold ({thresholds})")
    for n, group in enumerate(groups, 1):
        print(f"group {n}: {len(group)} files (each with its highest cosine in the group; threshold {thresholds})")
        for hit in group:
            print(f"  {hit.cosine:6.3f}  {hit.modality:5}  {hit.path}")
    return 0


def _print_notes(notes: list[str]) -> None:
    for note in notes:
        print(f"course search: note: {note}", file=sys.stderr)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _cosine(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a cosine between -1 and 1, got {text!r}") from None
    if not -1 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a cosine between -1 and 1, got {value}")
    return value


def _add_search_parser(sub) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", required=True, metavar="PATH",
                        help="the index folder: index.sqlite (the record of every file), faiss files, lock")
    common.add_argument("--backend", choices=["faiss", "qdrant"], default="faiss",
                        help="where vectors are kept and searched: faiss files in PATH (default), or Qdrant")
    common.add_argument("--qdrant-path", type=Path, metavar="DIR",
                        help="Qdrant local mode in DIR (default PATH/qdrant): qdrant-client alone, no server; it "
                             "compares the query with every vector (brute force), for small collections")
    common.add_argument("--qdrant-url", metavar="URL", help="a running Qdrant server instead of local mode")
    search = sub.add_parser("search", help="index a folder of images, sounds and videos; query it; find duplicates",
                            description="Search a folder of media by content. Images and video frames are embedded "
                            "with EfficientNet-Lite0 (one space: a photo can find a clip), sounds with aiSFX. "
                            "SQLite in --db is the record; faiss or Qdrant hold the vectors.")
    commands = search.add_subparsers(dest="search_command", required=True)
    index = commands.add_parser("index", parents=[common], help="embed new and changed files, drop deleted ones")
    index.add_argument("folder", metavar="DIR", help="the folder to index (recursively)")
    query = commands.add_parser("query", parents=[common], help="the indexed files nearest to a media file")
    query.add_argument("file", metavar="FILE", help="an image, sound or video")
    query.add_argument("-k", type=_count, default=10, help="how many results (default 10)")
    dups = commands.add_parser("dups", parents=[common], help="groups of near-duplicate files")
    dups.add_argument("--threshold", type=_cosine, metavar="T",
                      help="cosine at or above which two files are near-duplicates (default: each space's "
                           "own, DUPLICATE_THRESHOLDS in course_utils.search.store: 0.52 for images and "
                           "videos, calibrated in chapter 5.1; 0.98 for sounds)")
    search.set_defaults(func=cmd_search)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="execute every chapter notebook offline into _build/")
    run.add_argument("--chapter", action="append", metavar="ID",
                     help="only this chapter id (repeatable), e.g. 5.1")
    run.add_argument("--timeout", type=_count, metavar="S",
                     help="seconds one cell may run before its chapter is stopped (default 900)")
    run.set_defaults(func=cmd_run)
    notebooks = sub.add_parser("notebooks", help="list the chapter notebooks of book.yml")
    notebooks.add_argument("--chapter", action="append", metavar="ID", help="only this chapter (repeatable)")
    notebooks.set_defaults(func=cmd_notebooks)
    sub.add_parser("doctor", help="versions, device, caches and assets").set_defaults(func=cmd_doctor)
    sub.add_parser("prefetch", help="download the book's optional assets (online)").set_defaults(func=cmd_doctor)
    sub.add_parser("book", help="build the HTML book into _build/html (offline)").set_defaults(func=cmd_book)
    student = sub.add_parser("student", help="write student copies of the notebooks (default _build/student/)")
    # Text, not Path: Path("") would turn an empty --out into the current folder.
    student.add_argument("--out", metavar="DIR", help="write the copies here instead of _build/student/")
    mode = student.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true",
                      help="overwrite copies edited since course student wrote them (their changes are lost)")
    mode.add_argument("--keep-edited", action="store_true",
                      help="keep copies edited since course student wrote them, and write the others (make lab)")
    student.set_defaults(func=cmd_student)
    check = sub.add_parser("workshop-check", help="the instructor's dry run: READY, or the list of what to fix")
    check.add_argument("--no-execute", action="store_true", help="skip executing the chapters (a quick check)")
    check.add_argument("--no-book-assets", action="store_true",
                       help="note, not fail, missing book assets (the room runs on the offline fallbacks)")
    check.add_argument("--timeout", type=_count, metavar="S", help="seconds one cell may run (default 900)")
    check.set_defaults(func=cmd_workshop_check)
    wheels = sub.add_parser("wheelhouse", help="download every wheel the course needs into one folder (online)")
    wheels.add_argument("--out", default="wheelhouse", metavar="DIR", help="the folder (default wheelhouse/)")
    wheels.add_argument("--platform", action="append", metavar="P",
                        help="this (default), linux-x86_64, macos-arm64 or windows-amd64 (repeatable)")
    wheels.add_argument("--python", metavar="3.X", help="the learners' Python (default: this one)")
    wheels.set_defaults(func=cmd_wheelhouse)
    _add_search_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``course`` command with ``argv`` (default ``sys.argv[1:]``); return its exit status.

    0 on success, 1 when a command found problems (a chapter failed, an asset is missing, the book
    has a warning), 2 for a mistake in book.yml, the arguments, the set-up or a folder that cannot
    be written, 130 (128 + SIGINT) after Ctrl-C.
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
        return 130
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
