"""Key results travel from a notebook's outputs to the course summary; problems are caught,
and one failing chapter neither stops the run nor hides the summary."""

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course_utils.errors import CourseError, UnknownChapterError
from course_utils.key_results import METADATA_KEY, KeyResult, format_table
from course_utils.tooling import runner as runner_module
from course_utils.tooling.book_config import Chapter
from course_utils.tooling.runner import execute_chapter, kernel_env, key_results, notebook_problems, run_course


def test_format_table_aligns_and_shows_the_book_value():
    text = format_table([KeyResult("red ↔ orange", 0.8451, 1e-4, book=0.898), KeyResult("hits", 8, 0, decimals=0)])
    lines = text.splitlines()
    assert lines[0].split() == ["result", "this", "run", "book"]
    assert "0.845" in lines[2] and "0.898" in lines[2]
    assert lines[3].split()[-2:] == ["8", "—"]


def _nb_with(outputs):
    nb = new_notebook()
    cell = new_code_cell("x")
    cell.outputs = outputs
    nb.cells = [cell]
    return nb


def test_key_results_are_read_from_output_metadata():
    rows = [{"label": "a", "value": 0.5, "tolerance": 0.01, "book": 0.6, "model": "m", "decimals": 3}]
    nb = _nb_with([new_output("display_data", data={"text/plain": "table"},
                              metadata={METADATA_KEY: {"chapter": "5.1", "rows": rows}})])
    assert key_results(nb) == [KeyResult("a", 0.5, 0.01, book=0.6, model="m", decimals=3)]


def test_stderr_and_errors_are_problems():
    nb = _nb_with([new_output("stream", name="stderr", text="UserWarning: careful\n"),
                   new_output("error", ename="ValueError", evalue="bad", traceback=[])])
    problems = notebook_problems(nb)
    assert "stderr: UserWarning: careful" in problems[0]
    assert "raised ValueError: bad" in problems[1]


def test_clean_notebook_has_no_problems():
    assert notebook_problems(_nb_with([new_output("stream", name="stdout", text="hi\n")])) == []


def _write_notebook(path, sources):
    nb = new_notebook()
    nb.cells = [new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.notebooks  # starts a Jupyter kernel: the notebooks stage
def test_execute_chapter_collects_results_and_catches_stderr(tmp_path):
    noisy = tmp_path / "noisy.ipynb"
    _write_notebook(noisy, [
        "from course_utils.key_results import KeyResult, show_key_results",
        "import sys; print('oops', file=sys.stderr)",
        "show_key_results('9.1', [KeyResult('answer', 0.4201, 1e-4, book=0.42, model='m')])",
    ])
    build = tmp_path / "_build"
    run = execute_chapter(Chapter("9.1", "Noisy", noisy), build)
    assert run.results == [KeyResult("answer", 0.4201, 1e-4, book=0.42, model="m")]
    assert run.problems == ["cell 1 wrote to stderr: oops"]
    assert (build / "noisy.ipynb").is_file()


def _outputs(path):
    return ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in nbformat.read(path, as_version=4).cells]


@pytest.mark.notebooks  # starts a Jupyter kernel: the notebooks stage
def test_a_dead_kernel_is_a_problem_and_the_partial_notebook_is_kept(tmp_path):
    dies = tmp_path / "dies.ipynb"
    _write_notebook(dies, ["print('before')", "import os; os._exit(1)", "print('after')"])
    run = execute_chapter(Chapter("9.1", "Dies", dies), tmp_path / "_build")
    assert len(run.problems) == 1, run.problems
    assert "kernel died while running cell 1" in run.problems[0]
    assert _outputs(run.output) == ["before\n", "", ""], "the cells that ran keep their outputs"
    assert run.output.with_suffix(".kernel.log").is_file(), "the dead kernel's own messages are kept"


def _checkout(root, chapters):
    """A course checkout in ``root``: one notebook per (id, cell sources) and a book.yml listing them."""
    (root / "notebooks").mkdir(parents=True)
    entries = []
    for chapter_id, sources in chapters:
        name = f"notebooks/ch_{chapter_id.replace('.', '_')}.ipynb"
        _write_notebook(root / name, sources)
        entries.append({"id": chapter_id, "title": f"Chapter {chapter_id}", "notebook": name})
    (root / "book.yml").write_text(yaml.safe_dump({"title": "Tiny", "chapters": entries}), encoding="utf-8")


@pytest.mark.notebooks  # starts a Jupyter kernel: the notebooks stage
def test_a_timed_out_chapter_is_saved_and_the_run_goes_on_to_the_summary(tmp_path, monkeypatch, capsys):
    results = ("from course_utils.key_results import KeyResult, show_key_results\n"
               "show_key_results('9.2', [KeyResult('answer', 0.42, 1e-4, book=0.42)])")
    _checkout(tmp_path, [
        ("9.1", ["print('started')", "import time; time.sleep(60)", "print('never')"]),
        ("9.2", ["import os; print(os.environ['COURSE_OFFLINE'], os.environ['PYTHONHASHSEED'])", results]),
    ])
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    before = dict(os.environ)

    code = run_course(timeout=1)
    out = capsys.readouterr().out

    assert code == 1
    assert dict(os.environ) == before, "run_course must not change the caller's environment"
    slow, good = tmp_path / "_build" / "notebooks" / "ch_9_1.ipynb", tmp_path / "_build" / "notebooks" / "ch_9_2.ipynb"
    assert _outputs(slow)[0] == "started\n" and _outputs(slow)[2] == "", "the partly executed notebook is saved"
    assert _outputs(good)[0] == "1 0\n", "the kernel runs offline with a fixed hash seed"
    assert "[9.1] FAILED" in out and "cell 1 was still running after 1 s" in out
    assert "[9.2] ok" in out, "the chapter after the one that timed out still runs"
    assert not list((tmp_path / "_build" / "notebooks").glob("*.kernel.log")), "logs are kept only for dead kernels"
    summary = out[out.index("Key results"):]
    assert "answer" in summary and "0.420" in summary
    assert summary.strip().splitlines()[-1].startswith("1 of 2 chapters had problems: 9.1")


def test_run_course_refuses_unknown_chapter_ids_before_running_any(tmp_path, monkeypatch, capsys):
    _checkout(tmp_path, [("9.1", ["print('ran')"])])
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    with pytest.raises(UnknownChapterError, match="no chapter '9.9'; its chapter ids are 9.1"):
        run_course(only=["9.1", "9.9"])
    assert capsys.readouterr().out == ""
    assert not (tmp_path / "_build").exists()


def test_kernel_env_adds_offline_defaults_without_overriding_the_caller(monkeypatch):
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    monkeypatch.delenv("PYTHONHASHSEED", raising=False)
    assert kernel_env() == {**os.environ, "COURSE_OFFLINE": "1", "PYTHONHASHSEED": "0"}
    monkeypatch.setenv("COURSE_OFFLINE", "0")
    assert kernel_env()["COURSE_OFFLINE"] == "0"


def test_an_output_path_that_is_a_folder_is_refused_before_any_chapter_runs(tmp_path, monkeypatch):
    _checkout(tmp_path, [("9.1", ["open('ran', 'w').close()"]), ("9.2", ["print('hi')"])])
    (tmp_path / "_build" / "notebooks" / "ch_9_2.ipynb").mkdir(parents=True)
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    with pytest.raises(CourseError, match=r"ch_9_2.ipynb, which is a folder"):
        run_course()
    assert not (tmp_path / "notebooks" / "ran").exists(), "no chapter may run before every output is checked"


def test_an_unwritable_build_folder_is_one_course_error(tmp_path, monkeypatch, unwritable_build):
    _checkout(tmp_path, [("9.1", ["print('hi')"])])
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    with pytest.raises(CourseError, match=r"cannot write the executed notebooks into .*_build.*Permission denied"):
        run_course()


@pytest.mark.notebooks  # starts a Jupyter kernel: the notebooks stage
def test_two_runs_of_one_chapter_at_once_do_not_collide(tmp_path):
    nb = tmp_path / "slow.ipynb"
    _write_notebook(nb, ["import time; time.sleep(3)", "print('done')"])
    build = tmp_path / "_build"
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: execute_chapter(Chapter("9.1", "Slow", nb), build), range(2)))
    assert [r.problems for r in runs] == [["published no key results (end the notebook with show_key_results)"]] * 2
    assert _outputs(build / "slow.ipynb") == ["", "done\n"]
    assert sorted(p.name for p in build.iterdir()) == ["slow.ipynb"], "no log or temporary file is left behind"


@pytest.mark.notebooks  # starts a Jupyter kernel: the notebooks stage
def test_ctrl_c_during_a_run_is_one_line_exit_130_and_leaves_nothing_behind(tmp_path):
    marker = tmp_path / "kernel.pid"
    _checkout(tmp_path, [("9.1", [f"import os, time; open({str(marker)!r}, 'w').write(str(os.getpid())); "
                                  "time.sleep(60)"])])
    env = {**os.environ, "COURSE_ROOT": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, "-m", "course_utils.tooling.cli", "run"], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (marker.is_file() and marker.read_text()) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends to the course command
    out, err = proc.communicate(timeout=30)
    assert (proc.returncode, err) == (130, "course run: interrupted\n"), out + err
    assert not list((tmp_path / "_build" / "notebooks").iterdir()), "no log or partial file is left behind"
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.kill(int(marker.read_text()), 0)  # the kernel was shut down


@pytest.mark.parametrize("seconds, slow", [(170, False), (180, False), (181, True), (400, True)])
def test_a_chapter_more_than_half_again_over_its_stated_time_is_reported(tmp_path, monkeypatch, capsys, seconds, slow):
    _checkout(tmp_path, [("9.1", ["print('ran')"])])
    book = yaml.safe_load((tmp_path / "book.yml").read_text(encoding="utf-8"))
    book["chapters"][0]["run_time_minutes"] = 2
    (tmp_path / "book.yml").write_text(yaml.safe_dump(book), encoding="utf-8")
    monkeypatch.setenv("COURSE_ROOT", str(tmp_path))
    results = [KeyResult("answer", 0.42, 1e-4, book=0.42)]
    monkeypatch.setattr(runner_module, "execute_chapter", lambda chapter, build, timeout: runner_module.ChapterRun(
        chapter, build / chapter.notebook.name, float(seconds), results))  # a fake timing: nothing executes

    assert run_course() == 0, "a slow chapter is reported, not failed"
    out = capsys.readouterr().out
    assert ("more than 50 % over the 2 min book.yml states" in out) is slow
    if slow:
        assert f"took {seconds / 60:.1f} min" in out


def test_a_chapter_without_a_stated_time_is_never_reported_slow():
    chapter = Chapter("9.1", "No time", Path("ch.ipynb"))
    assert runner_module.overrun(chapter, 10_000) is None
