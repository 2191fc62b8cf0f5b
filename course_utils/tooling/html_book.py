"""``make book``: build the course as a static HTML book, offline, from ``book.yml``.

``book.yml`` stays the one place that names the course. At build time this module
generates, under ``_build/book_src/``, what Jupyter Book 1.x needs:

- ``_config.yml``: title, author and copyright from ``book.yml``, its ``book:`` settings
  on top of this course's defaults (notebooks are shown with their committed outputs,
  never executed);
- ``_toc.yml``: a ``jb-book`` table of contents with one chapter per ``book.yml`` entry,
  in order;
- ``index.md``: the landing page, listing each chapter with its learning objectives
  and expected run time;
- a copy of every chapter notebook.

Jupyter Book 1.x builds with Sphinx and needs no network; Jupyter Book 2 (mystmd)
downloads its web theme at build time. The build runs with ``-W --keep-going``:
every Sphinx warning is reported and then fails the build. A finished build is also
refused when a page would load a script, stylesheet or image from the network, since
an offline reader's browser could not fetch it.

Examples
--------
>>> from course_utils.tooling.html_book import build_book     # doctest: +SKIP
>>> build_book()                                        # doctest: +SKIP
PosixPath('.../_build/html/index.html')
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import yaml

from course_utils.tooling.book_config import REPO_ROOT, Chapter, load_book

#: Where the generated Jupyter Book sources go, relative to the output root.
SOURCE_DIR = Path("_build") / "book_src"
#: The favicon's file name in the generated sources.
FAVICON_NAME = "favicon.svg"
#: Where the HTML lands, relative to the output root (Jupyter Book's ``<path-output>/_build/html``).
HTML_DIR = Path("_build") / "html"
#: The landing page's document name (``index.md``, built as the book's ``index.html``).
LANDING_DOC = "index"

#: Jupyter Book settings the course uses unless ``book.yml``'s ``book:`` section says otherwise.
DEFAULT_SETTINGS: dict = {
    "only_build_toc_files": True,
    "exclude_patterns": ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"],
    "execute": {"execute_notebooks": "off"},
    "html": {"use_repository_button": False, "use_issues_button": False,
             "use_edit_page_button": False, "home_page_in_navbar": True},
    "launch_buttons": {"thebe": False, "binderhub_url": "", "jupyterhub_url": "", "colab_url": "",
                       "deepnote_url": ""},
    "sphinx": {
        "config": {
            # myst-nb would load require.js and the ipywidgets manager from a CDN on pages
            # whose notebook stores widget state; the book shows static outputs only.
            "nb_ipywidgets_js": {},
            # the sources are notebooks: the download button already offers them
            "html_show_sourcelink": False,
            # pydata-sphinx-theme logs a console error when no colour mode is set; figures
            # have white backgrounds, so the book opens light (readers can switch).
            "html_context": {"default_mode": "light"},
        },
    },
}

#: Jupyter Book's Sphinx extensions that the offline book leaves out. ``sphinx_thebe`` (live code
#: on Binder) declares ``const THEBE_JS_URL`` twice per page, a console error, and points at unpkg.
DROPPED_EXTENSIONS = ("sphinx_thebe",)

#: The book's icon (``html.favicon``): without one the browser asks for /favicon.ico and logs a 404.
FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect x="2" y="2" width="13" height="13" rx="2" fill="#d62728"/>
<rect x="17" y="2" width="13" height="13" rx="2" fill="#ff7f0e"/>
<rect x="2" y="17" width="13" height="13" rx="2" fill="#1f77b4"/>
<rect x="17" y="17" width="13" height="13" rx="2" fill="#2ca02c"/>
</svg>
"""

#: Tags whose URL attribute makes the browser fetch something while rendering a page.
_FETCHING_ATTRS = {"script": "src", "img": "src", "iframe": "src", "audio": "src", "video": "src",
                   "source": "src", "embed": "src", "link": "href"}
_LINK_RELS_FETCHED = {"stylesheet", "icon", "shortcut icon", "preload", "modulepreload", "manifest"}


class BookBuildError(RuntimeError):
    """The book could not be built (a Sphinx warning or error, or a page that needs the network)."""


@dataclass(frozen=True)
class BookSources:
    """The generated Jupyter Book inputs for one build."""

    source_dir: Path
    config: Path
    toc: Path
    landing: Path
    chapters: tuple[Path, ...]  #: the copied notebooks, in book order, relative to ``source_dir``


def _deep_merge(base: dict, update: dict) -> dict:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _notebook_in_book(chapter: Chapter, book_dir: Path) -> Path:
    """Where a chapter's notebook sits in the book sources (its path relative to ``book.yml``)."""
    try:
        return chapter.notebook.relative_to(book_dir.resolve())
    except ValueError:
        return Path("notebooks") / chapter.notebook.name


def book_config(book: dict) -> dict:
    """The Jupyter Book ``_config.yml`` content for a loaded ``book.yml``.

    Parameters
    ----------
    book : dict
        What :func:`course_utils.tooling.book_config.load_book` returned.

    Returns
    -------
    dict
        Course defaults, with ``book.yml``'s ``title``/``author``/``copyright`` and its ``book:``
        settings merged on top. ``book: execute: "off"`` is shorthand for
        ``execute: {execute_notebooks: "off"}``.

    Raises
    ------
    ValueError
        If the result is not a valid Jupyter Book 1.x configuration.
    """
    from jupyter_book.config import get_default_sphinx_config

    settings = dict(book.get("book") or {})
    if isinstance(settings.get("execute"), str):
        settings["execute"] = {"execute_notebooks": settings["execute"]}
    defaults = _deep_merge(DEFAULT_SETTINGS, {"html": {"favicon": FAVICON_NAME}, "sphinx": {"config": {
        "extensions": [e for e in get_default_sphinx_config()["extensions"] if e not in DROPPED_EXTENSIONS]}}})
    config = _deep_merge(defaults, settings)
    for key in ("title", "author", "copyright"):
        if book.get(key) is not None:
            config[key] = str(book[key])
    _validate_config(config)
    return config


def _validate_config(config: dict) -> None:
    from jupyter_book.config import get_validator

    errors = sorted(get_validator().iter_errors(config), key=lambda e: list(e.path))
    if errors:
        detail = "; ".join(f"{'/'.join(map(str, e.path)) or '(top level)'}: {e.message}" for e in errors)
        raise ValueError(f"book.yml's book settings are not a valid Jupyter Book 1.x configuration: {detail}")


def book_toc(chapter_paths: list[Path]) -> dict:
    """The ``jb-book`` table of contents: the landing page, then one chapter per notebook, in order."""
    return {
        "format": "jb-book",
        "root": LANDING_DOC,
        "chapters": [{"file": p.with_suffix("").as_posix()} for p in chapter_paths],
    }


def _escape_markdown(text: str) -> str:
    """Make book.yml text safe to drop into MyST: no accidental math, roles or emphasis."""
    return re.sub(r"([\\`*_$\[\]{}<>|])", r"\\\1", text)


def _minutes(value: float) -> str:
    value = int(value) if float(value).is_integer() else value
    return f"{value} minute" + ("" if value == 1 else "s")


def landing_page(book: dict, chapter_paths: list[Path]) -> str:
    """The landing page in MyST Markdown: the course, then each chapter's objectives and run time."""
    chapters: list[Chapter] = book["chapters"]
    total = sum(c.run_time_minutes for c in chapters)
    lines = [f"# {_escape_markdown(str(book.get('title', 'The course')))}", ""]
    if book.get("subtitle"):
        lines += [f"*{_escape_markdown(str(book['subtitle']))}*", ""]
    lines += [
        "Every chapter is a Jupyter notebook, shown here with the outputs committed to the course "
        "(the same outputs the regression tests check). Run a notebook yourself with `make lab`, "
        "or all of them with `make course`.",
        "",
        f"{len(chapters)} chapters, about {_minutes(total)} to run on a laptop CPU.",
        "",
        "| Chapter | Title | Expected run time |",
        "|---|---|---|",
    ]
    for chapter, path in zip(chapters, chapter_paths):
        doc = path.with_suffix("").as_posix()
        lines.append(f"| {_escape_markdown(chapter.id)} | {{doc}}`{_escape_markdown(chapter.title)} <{doc}>` "
                     f"| {_minutes(chapter.run_time_minutes)} |")
    lines.append("")
    for chapter, path in zip(chapters, chapter_paths):
        doc = path.with_suffix("").as_posix()
        lines += [
            f"## {_escape_markdown(chapter.id)} {_escape_markdown(chapter.title)}",
            "",
            f"Expected run time: about {_minutes(chapter.run_time_minutes)} · notebook `{path.as_posix()}`",
            "",
            "Learning objectives:",
            "",
            *[f"- {_escape_markdown(o)}" for o in chapter.objectives],
            "",
            f"{{doc}}`Read chapter {_escape_markdown(chapter.id)} <{doc}>`",
            "",
        ]
    return "\n".join(lines)


def write_sources(book_yml: str | Path | None = None, out_root: str | Path | None = None) -> BookSources:
    """Generate ``_config.yml``, ``_toc.yml``, the landing page and copies of the notebooks.

    Parameters
    ----------
    book_yml : str or Path, optional
        Defaults to ``book.yml`` at the repository root.
    out_root : str or Path, optional
        The sources go to ``out_root/_build/book_src`` (emptied first). Defaults to the repository root.

    Raises
    ------
    FileNotFoundError
        If ``book.yml`` or a chapter's notebook does not exist.
    ValueError
        If ``book.yml`` is invalid (see :func:`course_utils.tooling.book_config.load_book`, :func:`book_config`).
    """
    book_yml = Path(book_yml) if book_yml is not None else REPO_ROOT / "book.yml"
    out_root = Path(out_root) if out_root is not None else REPO_ROOT
    book = load_book(book_yml)
    config = book_config(book)
    src = out_root / SOURCE_DIR
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    paths = []
    for chapter in book["chapters"]:
        if not chapter.notebook.is_file():
            raise FileNotFoundError(f"chapter {chapter.id}: notebook {chapter.notebook} (named in {book_yml}) does not exist")
        rel = _notebook_in_book(chapter, book_yml.parent)
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(chapter.notebook, src / rel)
        paths.append(rel)
    header = f"# Generated from {book_yml.name} by course_utils/book_build.py at build time; edit {book_yml.name} instead.\n"
    (src / "_config.yml").write_text(header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (src / "_toc.yml").write_text(header + yaml.safe_dump(book_toc(paths), sort_keys=False), encoding="utf-8")
    (src / f"{LANDING_DOC}.md").write_text(landing_page(book, paths), encoding="utf-8")
    (src / FAVICON_NAME).write_text(FAVICON_SVG, encoding="utf-8")
    return BookSources(src, src / "_config.yml", src / "_toc.yml", src / f"{LANDING_DOC}.md", tuple(paths))


class _FetchCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = _FETCHING_ATTRS.get(tag)
        values = dict(attrs)
        if tag == "link" and (values.get("rel") or "").lower() not in _LINK_RELS_FETCHED:
            return
        if attr and values.get(attr):
            self.urls.append(values[attr])


def network_fetches(html_dir: str | Path) -> dict[str, list[str]]:
    """Resources each built page would fetch from the network, by page (relative path).

    Looks at ``<script src>``, ``<link rel=stylesheet|icon|preload href>``, ``<img>``, ``<audio>``,
    ``<video>``, ``<source>``, ``<iframe>`` and ``<embed>``: any absolute ``http(s):`` or
    protocol-relative (``//host``) URL is a network fetch.
    """
    html_dir = Path(html_dir)
    found = {}
    for page in sorted(html_dir.rglob("*.html")):
        parser = _FetchCollector()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        remote = sorted({u for u in parser.urls if re.match(r"^(https?:)?//", u.strip(), re.I)})
        if remote:
            found[page.relative_to(html_dir).as_posix()] = remote
    return found


def build_book(book_yml: str | Path | None = None, out_root: str | Path | None = None,
               quiet: bool = False) -> Path:
    """Build the HTML book with Jupyter Book 1.x; any warning fails the build.

    Parameters
    ----------
    book_yml : str or Path, optional
        Defaults to ``book.yml`` at the repository root.
    out_root : str or Path, optional
        The book lands in ``out_root/_build/html``. Defaults to the repository root.
    quiet : bool
        Capture Jupyter Book's output instead of printing it (it is still part of the error).

    Returns
    -------
    Path
        The book's ``index.html``.

    Raises
    ------
    BookBuildError
        If Sphinx reports a warning or an error, or a page would fetch something from the network.
    """
    out_root = Path(out_root) if out_root is not None else REPO_ROOT
    sources = write_sources(book_yml, out_root)
    html_dir = out_root / HTML_DIR
    # A fresh build every time: no page survives from an older book.yml, and Sphinx re-reads every
    # notebook, so a warning cannot hide in a cached environment (.doctrees) from an earlier run.
    for stale in (html_dir, out_root / "_build" / ".doctrees", out_root / "_build" / "jupyter_execute"):
        if stale.exists():
            shutil.rmtree(stale)
    cmd = [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
           "build", str(sources.source_dir), "--path-output", str(out_root),
           "--config", str(sources.config), "--toc", str(sources.toc),
           "--builder", "html", "--warningiserror", "--keep-going", "--all", "--quiet"]
    proc = subprocess.run(cmd, cwd=out_root, text=True,
                          stdout=subprocess.PIPE if quiet else None,
                          stderr=subprocess.STDOUT if quiet else None)
    if proc.returncode != 0:
        log = proc.stdout or ""
        warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
        raise BookBuildError(
            f"the book build failed (jupyter-book exit code {proc.returncode}); warnings are errors"
            + ("".join(f"\n  {w}" for w in warnings) if warnings else "; see the output above")
        )
    remote = network_fetches(html_dir)
    if remote:
        detail = "".join(f"\n  {page}: {', '.join(urls)}" for page, urls in remote.items())
        raise BookBuildError("the book must work offline, but these pages load resources from the network "
                             f"(disable or vendor them in book_build.DEFAULT_SETTINGS):{detail}")
    index = html_dir / "index.html"
    if not index.is_file():
        raise BookBuildError(f"the build finished but wrote no {index}")
    return index


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@dataclass
class BookServer:
    """A running local HTTP server for a built book (see :func:`serve`)."""

    url: str
    httpd: http.server.ThreadingHTTPServer
    thread: threading.Thread

    def close(self) -> None:
        """Stop serving and free the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def __enter__(self) -> "BookServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def serve(directory: str | Path) -> BookServer:
    """Serve ``directory`` over HTTP on 127.0.0.1 at an ephemeral port, from a background thread.

    Examples
    --------
    >>> with serve("_build/html") as server:                # doctest: +SKIP
    ...     print(server.url)
    http://127.0.0.1:38211/
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"nothing to serve: {directory} is not a folder; run `make book` first")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name="book-server", daemon=True)
    thread.start()
    host, port = httpd.server_address[:2]
    return BookServer(f"http://{host}:{port}/", httpd, thread)


def main() -> int:
    """Build the book and print where it is (``course book``, ``make book``)."""
    try:
        index = build_book()
    except (BookBuildError, FileNotFoundError, ValueError) as exc:
        print(f"book: {exc}", file=sys.stderr)
        return 1
    print(f"\nThe book is in {index.parent}/ — open {index}")
    return 0
