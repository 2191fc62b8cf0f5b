"""`course workshop-check`: READY only when nothing is missing, else the list of what to fix and exit 1."""

import sys
from pathlib import Path

import pytest

from course_utils.assets import AssetStatus
from course_utils.tooling import workshop
from course_utils.tooling.book_config import chapters, repo_root
from course_utils.tooling.cli import main
from course_utils.tooling.runner import ChapterRun
from course_utils.tooling.workshop import check_chapters, check_packages, constraint_pins

GIB = 1024 ** 3
BOOK_ASSET = AssetStatus(name="image model resnet50", present=False, location="/cache/resnet50.pth",
                         needed_for="the book's exact numbers")


@pytest.fixture
def roomy(monkeypatch):
    """A machine with room to spare and every asset present, whatever the test machine has."""
    monkeypatch.setattr(workshop, "_free_disk", lambda root: 50 * GIB)
    monkeypatch.setattr(workshop, "_available_memory", lambda: 8 * GIB)
    monkeypatch.setattr(workshop.doctor, "asset_rows", lambda: [
        AssetStatus(name="image model efficientnet_lite0", present=True, location="(pip)", needed_for="every cell")])


def _pin(name: str) -> str:
    constraints = repo_root() / "constraints" / ("py%d.%d.txt" % sys.version_info[:2])
    return constraint_pins(constraints)[name]


def test_the_quick_check_is_ready_when_nothing_is_missing(roomy, capsys):
    assert main(["workshop-check", "--no-execute"]) == 0
    out = capsys.readouterr().out
    assert "[ok ] packages: Python" in out and f"[ok ] student copies: {len(chapters())} built" in out
    assert out.strip().splitlines()[-1].startswith("READY")


def test_a_missing_package_is_named_and_the_check_fails(roomy, monkeypatch, capsys):
    real = workshop.installed_version
    monkeypatch.setattr(workshop, "installed_version", lambda name: None if name == "librosa" else real(name))
    assert main(["workshop-check", "--no-execute"]) == 1
    out = capsys.readouterr().out
    assert "[FIX] packages: librosa is not installed; reinstall with pip install -c constraints/py3." in out
    assert out.strip().splitlines()[-1] == "NOT READY: 1 thing to fix: packages"


def test_a_version_other_than_the_constraints_is_named(roomy, monkeypatch, capsys):
    real = workshop.installed_version
    monkeypatch.setattr(workshop, "installed_version", lambda name: "1.0.0" if name == "numpy" else real(name))
    assert main(["workshop-check", "--no-execute"]) == 1
    assert f"numpy 1.0.0 (constraints: {_pin('numpy')})" in capsys.readouterr().out


def test_a_local_build_label_is_the_same_version(monkeypatch):
    real = workshop.installed_version
    monkeypatch.setattr(workshop, "installed_version",
                        lambda name: _pin("torch") + "+cpu" if name == "torch" else real(name))
    [finding] = check_packages(repo_root())
    assert finding.ok, "the CPU-only torch build of the pinned release is the pinned release"


def test_a_missing_asset_is_listed_with_the_fix(roomy, monkeypatch, capsys):
    monkeypatch.setattr(workshop.doctor, "asset_rows", lambda: [BOOK_ASSET])
    assert main(["workshop-check", "--no-execute"]) == 1
    out = capsys.readouterr().out
    assert "[FIX] image model resnet50: missing at /cache/resnet50.pth" in out and "course prefetch" in out
    assert out.strip().splitlines()[-1] == "NOT READY: 1 thing to fix: image model resnet50"
    capsys.readouterr()
    assert main(["workshop-check", "--no-execute", "--no-book-assets"]) == 0, "a room on the fallbacks is ready"
    assert "[ok ] image model resnet50: missing (--no-book-assets" in capsys.readouterr().out


def test_a_python_without_a_constraint_file_is_refused(tmp_path):
    (tmp_path / "constraints").mkdir()
    (tmp_path / "constraints" / "py3.99.txt").write_text("numpy==9.9\n", encoding="utf-8")
    [finding] = check_packages(tmp_path)
    assert not finding.ok and "CI verified the course on Python 3.99" in finding.detail


def test_too_little_disk_or_memory_is_to_fix(roomy, monkeypatch, capsys):
    monkeypatch.setattr(workshop, "_free_disk", lambda root: GIB // 2)
    monkeypatch.setattr(workshop, "_available_memory", lambda: 1 * GIB)
    assert main(["workshop-check", "--no-execute"]) == 1
    out = capsys.readouterr().out
    assert "[FIX] disk: 0.5 GiB free" in out and "[FIX] memory: 1.0 GiB available" in out


def test_student_copies_go_to_a_temporary_folder_never_the_learners(roomy, monkeypatch, capsys):
    used = []
    monkeypatch.setattr(workshop, "write_student_copies", lambda out: used.append(Path(out)) or [])
    main(["workshop-check", "--no-execute"])
    [out] = used
    assert out != repo_root() / "_build" / "student" and not out.exists(), "built, checked and removed"


def test_chapters_are_executed_timed_and_failures_listed(monkeypatch, tmp_path):
    def fake_run(chapter, build, timeout):  # a fake timing: nothing executes
        problems = ["cell 3 raised ValueError: boom"] if chapter.id == "5.2" else []
        return ChapterRun(chapter, Path(build) / chapter.notebook.name, 10_000.0 if chapter.id == "5.1" else 5.0,
                          problems=problems)
    monkeypatch.setattr(workshop, "execute_chapter", fake_run)
    findings = {f.topic: f for f in check_chapters(repo_root())}
    assert not findings["chapter 5.2"].ok and "cell 3 raised ValueError: boom" in findings["chapter 5.2"].detail
    assert findings["chapter 5.1"].ok and "slow: took 166.7 min" in findings["chapter 5.1"].detail
    assert findings["chapter 5.3"].ok and "slow" not in findings["chapter 5.3"].detail
