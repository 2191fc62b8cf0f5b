"""``course wheelhouse`` (``make wheelhouse``): every wheel the course needs, in one folder, for a room without internet.

Run once while online; each platform gets a subfolder, ``wheelhouse/<platform>-py3.X/``, of the versions in
``constraints/py3.X.txt``: the course's packages with the ``dev`` extra (so ``make unit`` runs too), and pip,
setuptools and wheel to install the course itself. A learner then runs ``make course WHEELHOUSE=<that subfolder>``,
which installs with pip's index switched off (``PIP_NO_INDEX=1``, ``PIP_FIND_LINKS``).

For this machine pip resolves as it would to install. For another platform pip cannot evaluate the
requirements' markers (``platform_system == "Linux"``) for the target, so the list is worked out here from
the installed packages' metadata with the target's markers, and each wheel is fetched without its dependencies;
a package with no wheel for the target is reported, and the others are fetched all the same.
"""

from __future__ import annotations

import platform
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_utils.errors import CourseError
from course_utils.tooling.book_config import repo_root, shown_path
from course_utils.tooling.workshop import constraint_pins, needed_distributions

#: Target name → pip's ``--platform`` tag and the environment markers of such a machine.
PLATFORMS = {
    "linux-x86_64": ("manylinux_2_28_x86_64",
                     {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                      "platform_machine": "x86_64"}),
    "macos-arm64": ("macosx_14_0_arm64",
                    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
                     "platform_machine": "arm64"}),
    "windows-amd64": ("win_amd64",
                      {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                       "platform_machine": "AMD64"}),
}
#: What installing the course itself needs (pyproject's build-system), beside its dependencies.
BUILD_TOOLS = ("pip", "setuptools>=77", "wheel")
#: Installed by the Makefile with ``--no-deps`` (aisfx pins numpy 1.23): fetched alone, at its constraint.
NO_DEPS = ("aisfx",)


def this_platform() -> str:
    """This machine's name in :data:`PLATFORMS` terms, e.g. ``linux-x86_64``."""
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(sys.platform, sys.platform)
    return f"{system}-{platform.machine().lower()}"


def course_requirements(root: Path) -> list[str]:
    """pyproject.toml's dependencies and its ``book`` and ``dev`` extras, and the build tools."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = [r for extra in ("book", "dev") for r in project["optional-dependencies"][extra]
              if canonicalize_name(Requirement(r).name) != canonicalize_name(project["name"])]
    return [*project["dependencies"], *extras, *BUILD_TOOLS]


def download_command(dest: Path, constraints: Path, python: str, target: str | None,
                     requirements: list[str]) -> list[str]:
    """The ``pip download`` command line for ``target`` (None: this machine, resolved by pip)."""
    command = [sys.executable, "-m", "pip", "download", "--dest", str(dest), "-c", str(constraints)]
    if target is not None:
        tag = PLATFORMS[target][0]
        # The newest patch release: a pin may need a recent one (soupsieve 4.1.3 needs Python 3.11.5).
        command += ["--only-binary=:all:", "--no-deps", "--platform", tag, "--python-version", f"{python}.99",
                    "--implementation", "cp", "--abi", f"cp{python.replace('.', '')}"]
    return command + requirements


_NO_WHEEL = re.compile(r"No matching distribution found for ([A-Za-z0-9_.\-]+)")


def download(dest: Path, constraints: Path, python: str, target: str | None, requirements: list[str]) -> list[str]:
    """Fetch the wheels into ``dest``; return the packages that have none for ``target`` (those are left out)."""
    missing: list[str] = []
    while True:
        wanted = [r for r in requirements if canonicalize_name(Requirement(r).name) not in missing]
        done = subprocess.run(download_command(dest, constraints, python, target, wanted),
                              capture_output=True, text=True)
        if done.returncode == 0:
            return missing
        found = _NO_WHEEL.search(done.stderr)
        if target is None or found is None or canonicalize_name(found.group(1)) in missing:
            tail = "\n".join(line for line in done.stderr.splitlines() if line.startswith("ERROR"))[-800:]
            raise CourseError(f"pip download for {target or this_platform()} failed: {tail or done.stderr[-800:]}")
        missing.append(canonicalize_name(found.group(1)))


def build_wheelhouse(out: str | Path, targets: list[str], python: str | None = None) -> int:
    """Download every wheel the course needs for each of ``targets`` into ``out/<target>-py3.X/``; print the size of
    each and what has no wheel there. 0 when every platform is complete, 1 when one lacks a wheel."""
    root = repo_root()
    python = python or "%d.%d" % sys.version_info[:2]
    constraints = root / "constraints" / f"py{python}.txt"
    if not constraints.is_file():
        raise CourseError(f"no {shown_path(constraints, root)}: the wheelhouse holds the versions CI verified; "
                          f"choose a Python that has a constraint file with --python")
    unknown = [t for t in targets if t != "this" and t not in PLATFORMS]
    if unknown:
        raise CourseError(f"unknown platform {', '.join(unknown)}; choose this, {', '.join(PLATFORMS)}")
    requirements = course_requirements(root)
    pins = constraint_pins(constraints)
    incomplete = 0
    for target in targets:
        native = target == "this" or (target == this_platform() and python == "%d.%d" % sys.version_info[:2])
        name = this_platform() if native else target
        dest = Path(out) / f"{name}-py{python}"
        dest.mkdir(parents=True, exist_ok=True)
        print(f"== {name}, Python {python}: downloading into {dest} ...", flush=True)
        if native:
            missing = download(dest, constraints, python, None, requirements)
        else:
            names = needed_distributions(requirements, {**default_environment(), **PLATFORMS[target][1],
                                                        "python_version": python, "python_full_version": f"{python}.99"})
            wanted = [f"{n}=={pins[n]}" if n in pins else n for n in names]
            missing = download(dest, constraints, python, target, wanted)
        alone = [f"{n}=={pins[n]}" for n in NO_DEPS]
        done = subprocess.run([*download_command(dest, constraints, python, None if native else target, alone),
                               "--no-deps"], capture_output=True, text=True)
        if done.returncode != 0:
            raise CourseError(f"pip download of {', '.join(alone)} failed: {done.stderr[-800:]}")
        size = sum(f.stat().st_size for f in dest.iterdir() if f.is_file())
        print(f"   {len(list(dest.iterdir()))} files, {size / 1e9:.2f} GB"
              + (f"; no wheel for {', '.join(missing)}" if missing else ""), flush=True)
        incomplete += bool(missing)
    print(f"\nOn a learner's machine: make course WHEELHOUSE={Path(out)}/<platform>-py{python} (pip's index off)")
    return 1 if incomplete else 0
