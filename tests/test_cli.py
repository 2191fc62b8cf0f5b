"""The `course` command: chapter list, doctor and prefetch behave as the README says."""

from course_utils.tooling.cli import main
from course_utils.tooling.book_config import REPO_ROOT, chapters


def test_notebooks_lists_book_chapters_in_order(capsys):
    assert main(["notebooks"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(c.notebook.relative_to(REPO_ROOT)) for c in chapters()]
    assert printed[0] == "notebooks/05_1_image_embeddings.ipynb"


def test_doctor_reports_device_caches_and_assets(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "device        cpu" in out or "device        cuda" in out or "device        mps" in out
    assert "offline mode  on" in out
    assert "torch cache" in out
    assert "[present] image model efficientnet_lite0" in out
    assert "image model resnet50" in out


def test_prefetch_refuses_while_offline(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    assert main(["prefetch"]) == 1
    assert "COURSE_OFFLINE is set" in capsys.readouterr().err


def test_prefetch_reports_a_failed_download_in_one_line(capsys, monkeypatch, tmp_path):
    import course_utils.models as models

    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def no_network(self, *args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(type(models._resnet50_weights()), "get_state_dict", no_network)
    import course_utils.tooling.doctor as doctor

    only_resnet = [step for step in doctor.prefetch_steps() if "ResNet50" in step[0]]
    monkeypatch.setattr(doctor, "prefetch_steps", lambda: only_resnet)
    models.clear_cache()
    code = main(["prefetch"])
    out = capsys.readouterr().out
    assert code == 1
    line = next(l for l in out.splitlines() if "ResNet50" in l)
    assert line.startswith("failed") and "network is unreachable" in line and "course prefetch" in line
