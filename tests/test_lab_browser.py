"""The course where learners work: a student copy in JupyterLab, in headless Chromium.

JupyterLab is started on a free port of 127.0.0.1 with the course's kernel (token auth, its own
settings and runtime folders under ``tmp_path``), and a student copy of chapter 5.2 is opened in it
as ``make lab`` would open it. The test runs every cell above the first exercise from the Run menu's
command, then the exercise's stub and its check, and reads the page: no error or stderr output,
every figure rendered, every audio player loaded, the stub shown (not collapsed as the worked
solution is) with its ``NotImplementedError`` and the exercise's hint in its output area, and the
check below it not passing. The server is shut down, with its kernel, whatever happens. Marked
``browser``; skips without Chromium unless ``COURSE_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from test_book_browser import CHROMEDRIVER, CHROMIUM, CHROMIUM_FLAGS, _need_browser

from course_utils.exercises import PASSED_PREFIX
from course_utils.tooling.book_config import chapters
from course_utils.tooling.student import SOLUTION_TAG, make_student_copy

pytestmark = pytest.mark.browser

#: A short chapter with figures and audio players before its first exercise.
CHAPTER = "5.2"
#: Every wait (the server, the page, the kernel, the cells) shares this budget, so the test ends within
#: it even on a loaded 2-core machine; a run takes about a minute on an idle one.
BUDGET_S = 150


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


def _processes_mentioning(text: str) -> list[int]:
    """Ids of the processes whose command line holds ``text`` (here: the server's own runtime folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
    return found


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path, deadline: float):
    """JupyterLab serving ``root``; yields (base URL, token). Shuts the server and its kernels down."""
    port, token = _free_port(), secrets.token_hex(16)
    dirs = {name: home / name for name in ("config", "data", "runtime", "settings", "workspaces")}
    # Every cell rendered (no windowing), and nothing fetched from the internet (news, update checks).
    settings = {"@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
                "@jupyterlab/apputils-extension/notification": {"checkForUpdates": False, "fetchNews": "false"}}
    for name, values in settings.items():
        path = dirs["settings"] / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = {**os.environ, "COURSE_OFFLINE": "1", "PYTHONHASHSEED": "0",
           "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
           "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "JUPYTERLAB_SETTINGS_DIR": str(dirs["settings"]),
           "JUPYTERLAB_WORKSPACES_DIR": str(dirs["workspaces"])}
    log = (home / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         "--allow-root", "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited with status {server.returncode}:\n"
                            f"{(home / 'server.log').read_text(errors='replace')[-3000:]}")
            with contextlib.suppress(OSError):
                _get(f"{base}/api/status?token={token}")
                break
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer on port {port} within the test's {BUDGET_S} s")
            time.sleep(0.5)
        yield base, token
    finally:
        with contextlib.suppress(OSError):  # shuts every kernel down, then the server
            urllib.request.urlopen(urllib.request.Request(f"{base}/api/shutdown?token={token}", method="POST"),
                                   timeout=10).close()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
        log.close()
        deadline = time.monotonic() + 10
        while (left := _processes_mentioning(str(dirs["runtime"]))) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in left:  # a kernel the server left behind: ours, by its connection file
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        assert not left, f"kernel processes {left} outlived the JupyterLab server"


@pytest.fixture
def chromium(tmp_path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must never download anything
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    drv = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    drv.set_page_load_timeout(BUDGET_S)
    drv.set_script_timeout(BUDGET_S)
    yield drv
    drv.quit()


# The notebook panel of arguments[0] (a path relative to the server's root), in the JupyterLab page.
_PANEL_JS = """
const app = window.jupyterapp;
const panel = app && [...app.shell.widgets('main')].find(w => w.context && w.context.path === arguments[0]);
"""

_STATE_JS = _PANEL_JS + """
if (!panel || !panel.context.isReady) return 'opening';
const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
return kernel ? kernel.status : 'no kernel yet';
"""

# Select cell arguments[1] and run a notebook command (arguments[2]); calls back when it has finished.
_RUN_JS = _PANEL_JS + """
const done = arguments[arguments.length - 1];
app.shell.activateById(panel.id);
panel.content.activeCellIndex = arguments[1];
app.commands.execute(arguments[2]).then(ok => done({ok}), err => done({error: String(err)}));
"""

_CELLS_JS = _PANEL_JS + """
return panel.content.widgets.map(cell => {
  const out = cell.node.querySelector('.jp-OutputArea');
  const input = cell.node.querySelector('.jp-InputArea');
  return {
    type: cell.model.type,
    source: cell.model.sharedModel.getSource(),
    count: cell.model.type === 'code' ? cell.model.executionCount : null,
    inputShown: !!input && input.checkVisibility(),
    text: out ? out.innerText : '',
    errors: out ? [...out.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
                    .map(e => e.innerText.slice(0, 500)) : [],
    images: out ? [...out.querySelectorAll('img')].map(i => ({
        complete: i.complete, natural: i.naturalWidth, shown: i.getBoundingClientRect().width})) : [],
    audio: out ? [...out.querySelectorAll('audio')].map(a => ({
        readyState: a.readyState, duration: a.duration, error: a.error ? a.error.code : null})) : [],
  };
});
"""


def _wait_for(drv, script: str, *args, until, deadline: float, what: str):
    while True:
        value = drv.execute_script(script, *args)
        if until(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within the test's {BUDGET_S} s (last seen: {str(value)[:300]})")
        time.sleep(0.25)


def _run(drv, name: str, index: int, command: str, deadline: float) -> None:
    from selenium.common.exceptions import TimeoutException

    drv.set_script_timeout(max(1.0, deadline - time.monotonic()))
    try:
        result = drv.execute_async_script(_RUN_JS, name, index, command)
    except TimeoutException:
        pytest.fail(f"{command} at cell {index} did not finish within the test's {BUDGET_S} s")
    assert "error" not in result, f"{command} at cell {index}: {result}"


def _committed_outputs(cells) -> tuple[int, int]:
    """Figures and audio players in the committed outputs of ``cells``."""
    outputs = [o for c in cells for o in c.get("outputs", [])]
    figures = sum("image/png" in o.get("data", {}) for o in outputs)
    players = sum(str(o.get("data", {}).get("text/html", "")).count("<audio") for o in outputs)
    return figures, players


def _stub_message(source: str) -> str:
    """The text the stub's ``raise NotImplementedError(...)`` carries, read from its code."""
    call = next(node.exc for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Raise))
    assert call.func.id == "NotImplementedError"
    return call.args[0].value


def test_a_student_copy_runs_in_jupyterlab_up_to_its_first_exercise(tmp_path, chromium):
    chapter = next(c for c in chapters() if c.id == CHAPTER)
    full = nbformat.read(chapter.notebook, as_version=4)
    student = make_student_copy(full)
    first = next(i for i, c in enumerate(student.cells) if SOLUTION_TAG in c.metadata.get("tags", []))
    figures, players = _committed_outputs(full.cells[:first])
    assert figures and players, f"chapter {CHAPTER} should show figures and audio players before its first exercise"
    root = tmp_path / "lab"
    root.mkdir()
    name = chapter.notebook.name
    nbformat.write(student, root / name)

    deadline = time.monotonic() + BUDGET_S
    with jupyter_lab(root, tmp_path / "jupyter", deadline) as (base, token):
        spec = _get(f"{base}/api/kernelspecs?token={token}")
        kernel_python = spec["kernelspecs"][student.metadata.kernelspec.name]["spec"]["argv"][0]
        assert Path(kernel_python).resolve() == Path(sys.executable).resolve(), "not the course's kernel"

        chromium.get(f"{base}/lab/tree/{name}?token={token}")
        print(f"{time.monotonic() - deadline + BUDGET_S:.0f} s: server up")
        _wait_for(chromium, _STATE_JS, name, until=lambda s: s == "idle", deadline=deadline,
                  what=f"JupyterLab did not open {name} with an idle kernel")
        print(f"{time.monotonic() - deadline + BUDGET_S:.0f} s: notebook open, kernel idle")
        _run(chromium, name, first, "notebook:run-all-above", deadline)
        print(f"{time.monotonic() - deadline + BUDGET_S:.0f} s: cells above the first exercise run")
        cells = _wait_for(chromium, _CELLS_JS, name, deadline=deadline, what="audio players did not load",
                          until=lambda cells: all(a["readyState"] >= 1 or a["error"] is not None
                                                  for c in cells for a in c["audio"]))
        lesson = cells[:first]
        not_run = [i for i, c in enumerate(lesson) if c["type"] == "code" and c["source"].strip()
                   and c["count"] is None]
        assert not not_run, f"cells {not_run} above the first exercise did not run"
        errors = {i: c["errors"] for i, c in enumerate(lesson) if c["errors"]}
        assert not errors, f"error or stderr output above the first exercise: {errors}"
        images = [img for c in lesson for img in c["images"]]
        assert len(images) == figures, f"{len(images)} figures shown for the {figures} the chapter draws"
        assert all(i["complete"] and i["natural"] > 0 and i["shown"] > 0 for i in images), images
        audio = [a for c in lesson for a in c["audio"]]
        assert len(audio) == players, f"{len(audio)} audio players for the chapter's {players}"
        assert all(a["error"] is None and a["readyState"] >= 1 and a["duration"] > 0 for a in audio), audio

        _run(chromium, name, first, "notebook:run-cell", deadline)
        _run(chromium, name, first + 1, "notebook:run-cell", deadline)
        stub, check = chromium.execute_script(_CELLS_JS, name)[first:first + 2]
        assert stub["inputShown"], "the learner's stub is collapsed"
        message = _stub_message(student.cells[first].source)
        assert message.startswith("Exercise 1: ") and len(message) > len("Exercise 1: ")
        assert "NotImplementedError" in stub["text"] and message in " ".join(stub["text"].split()), stub["text"]
        assert check["count"] is not None and PASSED_PREFIX not in check["text"], \
            f"the check passed an exercise nobody answered: {check['text'][:300]}"
