"""binder/: the repo2docker image (Binder, BinderHub, a JupyterHub) installs the pinned versions, CPU-only torch,
and runs postBuild; checked with repo2docker's own Dockerfile, which it writes without a Docker daemon."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_utils.tooling.book_config import load_book, repo_root
from course_utils.tooling.html_book import book_config
from course_utils.tooling.workshop import constraint_pins

ROOT = repo_root()
BINDER = ROOT / "binder"
CPU_BUILDS = {"torch", "torchvision", "torchaudio"}


def _requirements() -> dict[str, str]:
    return constraint_pins(BINDER / "requirements.txt")


def test_every_pin_is_the_py311_constraint_and_torch_is_the_cpu_build():
    pins, constraints = _requirements(), constraint_pins(ROOT / "constraints" / "py3.11.txt")
    assert (BINDER / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    wrong = {name: (version, constraints.get(name)) for name, version in pins.items()
             if version.split("+")[0] != constraints.get(name)}
    assert not wrong, f"binder/requirements.txt differs from constraints/py3.11.txt: {wrong}"
    assert {name for name, version in pins.items() if version.endswith("+cpu")} == CPU_BUILDS
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (BINDER / "requirements.txt").read_text()
    assert not [name for name in pins if name.startswith("nvidia-") or name == "triton"], "no CUDA in a CPU image"


def test_every_runtime_dependency_of_the_course_is_pinned():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    needed = {canonicalize_name(Requirement(text).name) for text in project["dependencies"]}
    assert not needed - set(_requirements()), "pyproject.toml needs these, binder/requirements.txt lacks them"


def test_repo2docker_builds_python_311_installs_the_requirements_and_runs_postbuild(tmp_path):
    # A copy of what repo2docker reads, so that the checkout's venvs and _build/ are not walked.
    shutil.copytree(BINDER, tmp_path / "binder")
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    done = subprocess.run([str(Path(sys.executable).parent / "jupyter-repo2docker"), "--no-build", "--no-run",
                           "--debug", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    dockerfile = done.stdout + done.stderr
    assert "Building conda environment for python=3.11" in dockerfile
    install = re.search(r'RUN \$\{KERNEL_PYTHON_PREFIX\}/bin/pip install --no-cache-dir -r "binder/requirements.txt"',
                        dockerfile)
    postbuild = dockerfile.find("RUN ./binder/postBuild")
    assert install and postbuild > install.end(), "requirements installed, then postBuild run"
    assert "apt-get install --yes --no-install-recommends" not in dockerfile, "no apt.txt: the wheels bundle FFmpeg " \
        "(PyAV) and libsndfile (soundfile)"


def test_the_readme_colab_cell_installs_the_course_with_an_existing_constraint_file():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    cell = readme.split("make the first cell:\n\n```\n", 1)[1].split("```", 1)[0]
    [install] = [line for line in cell.splitlines() if line.startswith("%pip install") and " -c " in line]
    constraints = re.search(r"-c /content/course/(constraints/py3\.\d+\.txt)", install)
    assert constraints and (ROOT / constraints.group(1)).is_file(), install
    assert install.endswith(" /content/course") and " -e " not in install, \
        "a plain install: an editable one is not importable until the runtime restarts"


def test_the_html_book_has_no_launch_buttons_unless_book_yml_names_a_hub():
    book = load_book()
    buttons = book_config(book)["launch_buttons"]
    assert not [key for key, url in buttons.items() if key.endswith("_url") and url], buttons
    hub = {"launch_buttons": {"binderhub_url": "https://mybinder.org"}, "repository": {"url": "https://example.org/r"}}
    configured = book_config({**book, "book": {**(book.get("book") or {}), **hub}})
    assert configured["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert configured["launch_buttons"]["jupyterhub_url"] == "", "only the hub book.yml names"


def test_every_install_path_adds_aisfx_without_its_dependencies_at_the_pinned_version():
    # aisfx pins numpy 1.23 and librosa 0.9, which the course cannot use: each path installs it with --no-deps.
    pin = constraint_pins(ROOT / "constraints" / "py3.11.txt")["aisfx"]
    assert pin == constraint_pins(ROOT / "constraints" / "py3.13.txt")["aisfx"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paths = {"binder/postBuild": (BINDER / "postBuild").read_text(encoding="utf-8"),
             "README's Colab cell": readme.split("make the first cell:\n\n```\n", 1)[1].split("```", 1)[0],
             "Makefile": (ROOT / "Makefile").read_text(encoding="utf-8")}
    for name, text in paths.items():
        assert re.search(rf"--no-deps .*aisfx==|AISFX := aisfx=={re.escape(pin)}", text), name
        assert f"aisfx=={pin}" in text, f"{name} installs another aisfx than the constraints' {pin}"
    assert "aisfx" not in _requirements(), "requirements.txt would pull numpy 1.23: aisfx belongs in postBuild"
