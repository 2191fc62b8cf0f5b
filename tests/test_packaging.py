"""pyproject.toml is the source of truth for the dependencies; environment.yml gives conda users the same."""

import re
import tomllib

import yaml

from course_utils.tooling.book_config import repo_root

#: conda-forge's name where it differs from PyPI's.
CONDA_NAMES = {"soundfile": "pysoundfile"}


def _requirements(lines) -> dict[str, str]:
    """``{name: range}`` from requirement strings such as ``"torch>=2.2,<2.15"`` (spaces and comments dropped)."""
    found = {}
    for line in lines:
        line = line.split("#")[0].replace(" ", "").strip('"')
        name, spec = re.match(r"([A-Za-z0-9_.\-]+)(.*)", line).groups()
        found[name.lower()] = spec
    return found


def test_environment_yml_lists_every_pyproject_dependency_with_its_range_and_nothing_else():
    root = repo_root()
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = _requirements(project["dependencies"] + [req for extra in project["optional-dependencies"].values()
                                                      for req in extra if not req.startswith(project["name"])])
    wanted = {CONDA_NAMES.get(name, name): spec for name, spec in wanted.items()}
    env = yaml.safe_load((root / "environment.yml").read_text(encoding="utf-8"))["dependencies"]
    pip = next(entry["pip"] for entry in env if isinstance(entry, dict))
    listed = _requirements([e for e in env if isinstance(e, str) and not e.startswith(("python", "pip"))]
                           + [e for e in pip if not e.startswith("-e")])
    assert listed == wanted
