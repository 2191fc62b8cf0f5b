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
import os
import platform
import sys
from importlib import metadata


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def cmd_notebooks(args: argparse.Namespace) -> int:
    from course_utils.course_book import REPO_ROOT, chapters

    for chapter in chapters():
        print(chapter.notebook.relative_to(REPO_ROOT))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from course_utils.runner import run_course

    return run_course(only=args.chapter)


def cmd_book(args: argparse.Namespace) -> int:
    from course_utils.book_build import main as build_book_main

    return build_book_main()


def cmd_student(args: argparse.Namespace) -> int:
    from course_utils.course_book import REPO_ROOT
    from course_utils.student import write_student_copies

    for path in write_student_copies():
        print(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from course_utils.assets import asset_report, offline_mode, torch_hub_checkpoints_dir
    from course_utils.models import pick_device

    print(f"python        {platform.python_version()} ({sys.executable})")
    for dist in ("course-utils", "torch", "torchvision", "numpy", "librosa", "av", "torchcrepe",
                 "scikit-learn", "scikit-image", "matplotlib", "nbval"):
        print(f"{dist:13s} {_version(dist)}")
    import torch

    cuda = torch.cuda.is_available()
    print(f"device        {pick_device()} (cuda available: {cuda}"
          + (f", {torch.cuda.get_device_name(0)}" if cuda else "") + ")")
    print(f"offline mode  {'on' if offline_mode() else 'off'} (COURSE_OFFLINE)")
    print(f"torch cache   {torch_hub_checkpoints_dir()}")
    print(f"librosa cache {os.environ.get('LIBROSA_DATA_DIR', '(librosa default)')}")
    print("\nassets:")
    for row in asset_report():
        mark = "present" if row.present else "missing"
        print(f"  [{mark:7s}] {row.name:28s} {row.location}")
        print(f"            needed for {row.needed_for}")
    return 0


def _prefetch_steps() -> list[tuple[str, object]]:
    """(label, callable) for each of the book's optional assets."""
    from course_utils.models import is_available, load_image_encoder

    steps = [("ResNet50 ImageNet weights (98 MB)",
              lambda: is_available("resnet50") or load_image_encoder("resnet50", device="cpu"))]
    try:
        from course_utils import audio
    except ImportError:
        audio = None
    if audio is not None and hasattr(audio, "prefetch_trumpet"):
        steps.append(("librosa's trumpet example", audio.prefetch_trumpet))
    return steps


def cmd_prefetch(args: argparse.Namespace) -> int:
    from course_utils.assets import AssetUnavailableError, offline_mode

    if offline_mode():
        print("COURSE_OFFLINE is set: unset it to download the book's assets", file=sys.stderr)
        return 1
    failures = 0
    for label, step in _prefetch_steps():
        try:
            step()
            print(f"ok       {label}")
        except AssetUnavailableError as exc:
            failures += 1
            print(f"failed   {label}: {exc}")
    return 1 if failures else 0


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
