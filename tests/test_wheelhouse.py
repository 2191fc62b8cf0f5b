"""`course wheelhouse`: the pip command it runs for each platform, what a platform needs, and what has no wheel."""

import subprocess
import sys
from pathlib import Path

from course_utils.tooling import wheelhouse, workshop
from course_utils.tooling.book_config import repo_root
from course_utils.tooling.cli import main
from course_utils.tooling.wheelhouse import PLATFORMS, course_requirements, download, download_command

CONSTRAINTS = Path("constraints/py3.11.txt")


def test_this_platform_is_resolved_by_pip_from_the_constraint_file():
    command = download_command(Path("wh"), CONSTRAINTS, "3.13", None, ["numpy>=1.24,<3", "pip"])
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert command[4:8] == ["--dest", "wh", "-c", "constraints/py3.11.txt"]
    assert command[-2:] == ["numpy>=1.24,<3", "pip"]
    assert "--platform" not in command and "--no-deps" not in command, "pip resolves as it would to install"


def test_another_platform_gets_its_tag_python_abi_and_wheels_only():
    command = " ".join(download_command(Path("wh"), CONSTRAINTS, "3.11", "macos-arm64", ["numpy==2.3.1"]))
    assert "--only-binary=:all: --no-deps --platform macosx_14_0_arm64 --python-version 3.11.99" in command
    assert "--implementation cp --abi cp311 numpy==2.3.1" in command


def test_the_wheelhouse_holds_the_dev_extra_and_what_installs_the_course():
    requirements = course_requirements(repo_root())
    assert "pytest>=7.4" in requirements and "jupyter-book>=1,<2" in requirements
    assert {"pip", "setuptools>=77", "wheel"} <= set(requirements)
    assert not [r for r in requirements if r.startswith("course-utils")], "the course itself is installed from source"


def test_the_target_platform_decides_which_requirements_count(monkeypatch):
    graph = {"torch": ['nvidia-cublas==13.1; platform_system == "Linux"', "filelock"],
             "jupyter-core": ['pywin32>=300; sys_platform == "win32"', 'pytest; extra == "test"']}
    monkeypatch.setattr(workshop, "installed_version", lambda name: "1.0" if name in graph else None)
    monkeypatch.setattr(workshop.metadata, "requires", lambda name: graph.get(name, []))

    def needed(target):
        return workshop.needed_distributions(["torch", "jupyter-core"], {**workshop.default_environment(),
                                                                         **PLATFORMS[target][1]})
    assert needed("linux-x86_64") == ["torch", "jupyter-core", "nvidia-cublas", "filelock"]
    assert needed("windows-amd64") == ["torch", "jupyter-core", "filelock", "pywin32"]
    assert needed("macos-arm64") == ["torch", "jupyter-core", "filelock"]


def test_a_package_without_a_wheel_is_reported_and_the_rest_fetched(monkeypatch, tmp_path):
    commands = []

    def fake_pip(command, **kwargs):
        commands.append(command)
        if "pywin32>=300" in command:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found for pywin32>=300")
        return subprocess.CompletedProcess(command, 0, "", "")
    monkeypatch.setattr(wheelhouse.subprocess, "run", fake_pip)
    missing = download(tmp_path, CONSTRAINTS, "3.13", "windows-amd64", ["numpy==2.3.1", "pywin32>=300"])
    assert missing == ["pywin32"]
    assert commands[-1][-1] == "numpy==2.3.1", "fetched again without the package that has no wheel"


def test_an_unknown_platform_is_one_sentence_and_exit_2(capsys, tmp_path):
    assert main(["wheelhouse", "--out", str(tmp_path), "--platform", "amiga"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("course wheelhouse: unknown platform amiga; choose this, linux-x86_64") and not list(
        tmp_path.iterdir())


def test_the_wheelhouse_also_holds_what_the_makefile_installs_without_dependencies(monkeypatch, tmp_path):
    # aisfx is installed with --no-deps (its numpy/librosa pins do not fit): without its wheel in the folder, setup
    # with pip's index off stopped at "Cannot install aisfx==0.1.2".
    commands = []
    monkeypatch.setattr(wheelhouse.subprocess, "run",
                        lambda command, **kwargs: commands.append(command) or subprocess.CompletedProcess(command, 0))
    assert wheelhouse.build_wheelhouse(tmp_path, ["this"], python="3.13") == 0
    pin = workshop.constraint_pins(repo_root() / "constraints" / "py3.13.txt")["aisfx"]
    alone = [c for c in commands if f"aisfx=={pin}" in c]
    assert len(alone) == 1 and "--no-deps" in alone[0], commands
