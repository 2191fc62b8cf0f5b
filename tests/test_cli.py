"""The `course` command: chapter list, doctor and prefetch behave as the README says."""

import subprocess
import sys

import nbformat
import pytest
import torch

from course_utils.assets import offline_mode
from course_utils.image import registry as models
from course_utils.tooling import doctor
from course_utils.tooling import student as student_module
from course_utils.tooling.book_config import chapters, repo_root
from course_utils.tooling.cli import main
from course_utils.tooling.runner import DEFAULT_CELL_TIMEOUT


def test_notebooks_lists_book_chapters_in_order(capsys):
    root = repo_root()
    assert main(["notebooks"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(c.notebook.relative_to(root)) for c in chapters()]
    assert printed[0] == "notebooks/05_1_image_embeddings.ipynb"


def test_doctor_reports_device_caches_and_assets(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "device        cpu" in out or "device        cuda" in out or "device        mps" in out
    assert "offline mode  on" in out
    assert "torch cache" in out
    assert "[present] image model efficientnet_lite0" in out
    assert "image model resnet50" in out
    assert "MISCONFIGURED" not in out


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA, so COURSE_DEVICE=cuda is usable")
def test_doctor_reports_cuda_requested_on_a_cpu_machine_and_exits_1(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("COURSE_DEVICE", "cuda")
    assert main(["doctor"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "" and "Traceback" not in captured.out
    device = next(line for line in captured.out.splitlines() if line.startswith("device"))
    assert device.startswith("device        MISCONFIGURED (COURSE_DEVICE='cuda'): ")
    assert "CUDA is not available" in device and "cuda available: False" in device
    assert "[present] image model efficientnet_lite0" in captured.out, "the rest of the report still prints"
    last = captured.out.strip().splitlines()[-1]
    assert last.startswith("COURSE_DEVICE='cuda' is not usable here") and "unset it" in last


def test_doctor_reports_an_unknown_device_name(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "banana")
    assert main(["doctor"]) == 1
    device = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("device"))
    assert "MISCONFIGURED (COURSE_DEVICE='banana')" in device and "unknown device 'banana'" in device


def test_run_with_an_unknown_chapter_fails_before_running_anything(capsys):
    ids = [c.id for c in chapters()]
    assert main(["run", "--chapter", ids[0], "--chapter", "9.9"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "", "no chapter may run when one of the ids is wrong"
    assert captured.err.count("\n") == 1
    assert "'9.9'" in captured.err and ", ".join(ids) in captured.err


def test_run_refuses_a_timeout_that_is_not_a_positive_whole_number(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["run", "--timeout", "0"])
    assert raised.value.code == 2
    assert "--timeout: expected at least 1, got 0" in capsys.readouterr().err


def test_prefetch_refuses_while_offline(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert main(["prefetch"]) == 1
    assert "COURSE_OFFLINE is set" in capsys.readouterr().err


def test_prefetch_reports_a_failed_download_in_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def no_network(self, *args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(type(models._resnet50_weights()), "get_state_dict", no_network)
    only_resnet = [step for step in doctor.prefetch_steps() if "ResNet50" in step[0]]
    monkeypatch.setattr(doctor, "prefetch_steps", lambda: only_resnet)
    models.clear_cache()
    code = main(["prefetch"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(l for l in out.splitlines() if "ResNet50" in l)
    assert line.startswith("failed") and "network is unreachable" in line and "course prefetch" in line


def test_student_refuses_the_checkouts_own_notebooks_folder(tmp_path, monkeypatch, capsys):
    root = repo_root()
    monkeypatch.setenv("COURSE_ROOT", str(root))

    def must_not_write(out):
        raise AssertionError(f"course student went on to write into {out}")

    monkeypatch.setattr(student_module, "_prepare_folder", must_not_write)  # so a regression cannot harm notebooks/
    (tmp_path / "nb").symlink_to(root / "notebooks", target_is_directory=True)
    for where, out, reason in [(root, "notebooks", "chapter notebooks"), (root / "notebooks", ".", "chapter notebooks"),
                               (tmp_path, "nb", "chapter notebooks"), (root / "notebooks", "", "empty path")]:
        monkeypatch.chdir(where)
        assert main(["student", "--out", out]) == 2, (where, out)
        err = capsys.readouterr().err
        assert err.startswith("course student: ") and err.count("\n") == 1 and reason in err, err


HEAVY_MODULES = ("torch", "librosa", "sphinx", "jupyter_book", "nbclient", "matplotlib")


def test_help_and_notebooks_start_without_the_heavy_libraries():
    code = ("import sys\nimport course_utils.tooling.cli as cli\n"
            f"heavy = {HEAVY_MODULES!r}\n"
            "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n"
            "assert cli.main(['notebooks']) == 0\n"
            "assert not [m for m in heavy if m in sys.modules], [m for m in heavy if m in sys.modules]\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=repo_root())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "notebooks/05_1_image_embeddings.ipynb"


def test_help_names_the_runners_default_timeout(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert f"(default {DEFAULT_CELL_TIMEOUT})" in " ".join(capsys.readouterr().out.split())


def test_notebooks_into_a_closed_pipe_exits_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "course_utils.tooling.cli", "notebooks"], cwd=repo_root(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # `course notebooks | head -0`: the reader is gone before anything is written
    assert (proc.wait(timeout=60), proc.stderr.read()) == (0, b"")


@pytest.mark.parametrize("value, offline", [("y", True), ("Yes", True), (" on ", True), ("1", True),
                                            ("n", False), ("OFF", False), ("0", False), ("", False)])
def test_course_offline_accepts_the_common_spellings(monkeypatch, value, offline):
    monkeypatch.setenv("COURSE_OFFLINE", value)
    assert offline_mode() is offline


def test_an_unknown_course_offline_value_is_refused_in_one_sentence(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_OFFLINE", "enabled")
    with pytest.raises(ValueError, match=r"^COURSE_OFFLINE is 'enabled', expected one of 1, true, yes, on, y "):
        offline_mode()
    assert main(["prefetch"]) == 2
    assert capsys.readouterr().err.startswith("course prefetch: COURSE_OFFLINE is 'enabled'")


def test_book_without_jupyter_book_names_the_extra(monkeypatch, capsys):
    for name in ["jupyter_book", *[m for m in sys.modules if m.startswith("jupyter_book.")]]:
        monkeypatch.setitem(sys.modules, name, None)  # as after a plain `pip install .`
    monkeypatch.delitem(sys.modules, "course_utils.tooling.html_book", raising=False)
    assert main(["book"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install '.[book]'" in err


@pytest.mark.parametrize("command", ["run", "book"])
def test_an_unwritable_build_folder_is_one_line_and_exit_2(command, tmp_path, monkeypatch, capsys, unwritable_build):
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "notebooks" / "a.ipynb")
    (tmp_path / "book.yml").write_text('chapters:\n- {id: "9.1", title: A, notebook: notebooks/a.ipynb}\n')
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"course {command}: ") and err.count("\n") == 1 and "Permission denied" in err, err
