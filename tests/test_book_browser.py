"""The HTML book: generated from book.yml, built offline with no warnings, and sound in a real browser.

The fast tests check the generated Jupyter Book inputs and that a Sphinx warning fails a build.
The ``browser`` tests build the course's book once, serve it on 127.0.0.1 and open every page in
headless Chromium (Debian's ``chromium`` and ``chromium-driver``): every image loads, every internal
link resolves, the console shows no errors, nothing is fetched from outside the local server, the
audio chapter's players load, each chapter page is saved whole as ``_build/screenshots/<notebook>-NN.png`` slices,
figures keep at least 80 % of their natural width, and worked solutions are folded.
Without Chromium they skip, unless ``COURSE_REQUIRE_BROWSER=1`` (CI), where they fail.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml

from course_utils.errors import BookBuildError
from course_utils.tooling.book_config import chapters, load_book, repo_root
from course_utils.tooling.html_book import SOURCE_DIR, book_config, build_book, network_fetches, write_sources

REPO_ROOT = repo_root()

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO_ROOT / "_build" / "screenshots"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1000"]
PAGE_TIMEOUT_S = 60


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 at an ephemeral port; yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, name="book-server", daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------------------------
# Fast tests: the generated config, TOC and landing page; warnings fail the build.
# --------------------------------------------------------------------------------------------

def _notebook(tmp_path: Path, name: str, markdown: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(markdown),
                nbformat.v4.new_code_cell("print('hi')", execution_count=1,
                                          outputs=[nbformat.v4.new_output("stream", name="stdout", text="hi\n")])]
    path = tmp_path / "notebooks" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _tiny_book(tmp_path: Path, second_markdown: str = "# Two\n\nBack to {doc}`one`.") -> Path:
    _notebook(tmp_path, "one.ipynb", "# One\n\nThe first chapter.")
    _notebook(tmp_path, "two.ipynb", second_markdown)
    book = {
        "title": "Tiny course",
        "author": "Tester",
        "chapters": [
            {"id": "1", "title": "First", "notebook": "notebooks/one.ipynb", "run_time_minutes": 3,
             "objectives": ["Learn the first thing", "Use a $5 budget and *stars* safely"]},
            {"id": "2", "title": "Second", "notebook": "notebooks/two.ipynb", "run_time_minutes": 1.5,
             "objectives": ["Learn the second thing", "Link back to the first"]},
        ],
        "book": {"execute": "off"},
    }
    path = tmp_path / "book.yml"
    path.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    return path


def test_toc_lists_every_book_yml_chapter_in_order(tmp_path):
    src = write_sources(out_root=tmp_path)
    toc = yaml.safe_load((src / "_toc.yml").read_text(encoding="utf-8"))
    expected = [c.notebook.relative_to(REPO_ROOT).with_suffix("").as_posix() for c in chapters()]
    assert toc["format"] == "jb-book"
    assert [entry["file"] for entry in toc["chapters"]] == expected
    for entry in toc["chapters"]:
        assert (src / f"{entry['file']}.ipynb").is_file()


def test_config_comes_from_book_yml_and_never_executes(tmp_path):
    book = load_book()
    config = yaml.safe_load((write_sources(out_root=tmp_path) / "_config.yml").read_text(encoding="utf-8"))
    assert config["title"] == book["title"]
    assert config["author"] == book["author"]
    assert config["execute"]["execute_notebooks"] == "off"
    assert "chapters" not in config, "the chapter list belongs in _toc.yml, not in Jupyter Book's config"


def test_invalid_book_settings_are_a_clear_error():
    with pytest.raises(ValueError, match="not a valid Jupyter Book 1.x configuration.*execute"):
        book_config({"title": "x", "chapters": [], "book": {"execute": {"execute_notebooks": "sometimes"}}})


def test_landing_page_lists_objectives_and_run_times_in_book_order(tmp_path):
    text = (write_sources(_tiny_book(tmp_path), out_root=tmp_path) / "index.md").read_text(encoding="utf-8")
    assert text.startswith("# Tiny course")
    assert "- Learn the first thing" in text and "- Link back to the first" in text
    assert "about 3 minutes" in text and "about 1.5 minutes" in text and "about 4.5 minutes to run" in text
    assert text.index("## 1 First") < text.index("## 2 Second")
    assert r"\$5 budget and \*stars\*" in text, "book.yml text must not turn into math or emphasis"


@pytest.mark.browser  # builds a book with Sphinx: the browser stage
def test_tiny_book_builds_and_its_landing_page_shows_the_objectives(tmp_path):
    index = build_book(_tiny_book(tmp_path), out_root=tmp_path, quiet=True)
    html_dir = index.parent
    landing = (html_dir / "index.html").read_text(encoding="utf-8")
    assert "Use a $5 budget and <em>" not in landing
    for objective in ("Learn the first thing", "Use a $5 budget and *stars* safely", "Link back to the first"):
        assert objective in landing
    assert (html_dir / "notebooks" / "one.html").is_file() and (html_dir / "notebooks" / "two.html").is_file()


@pytest.mark.browser  # builds a book with Sphinx: the browser stage
def test_a_hub_named_in_book_yml_gets_a_launch_button_that_loads_nothing(tmp_path):
    book_yml = _tiny_book(tmp_path)
    book = yaml.safe_load(book_yml.read_text(encoding="utf-8"))
    book["book"].update(repository={"url": "https://github.com/example/course", "branch": "main"},
                        launch_buttons={"binderhub_url": "https://binder.example.org"})
    book_yml.write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    html_dir = build_book(book_yml, out_root=tmp_path, quiet=True).parent
    page = (html_dir / "notebooks" / "one.html").read_text(encoding="utf-8")
    assert "https://binder.example.org/v2/gh/example/course/main" in page
    assert network_fetches(html_dir) == {}, "a launch button is a link: nothing is fetched when the page loads"
    plain = build_book(_tiny_book(tmp_path / "plain"), out_root=tmp_path / "plain", quiet=True).parent
    assert "binder" not in (plain / "notebooks" / "one.html").read_text(encoding="utf-8").lower()


@pytest.mark.browser  # builds a book with Sphinx: the browser stage
def test_a_build_warning_fails_the_build(tmp_path):
    book_yml = _tiny_book(tmp_path, "# Two\n\nA link to {doc}`a chapter that does not exist <nowhere>`.")
    with pytest.raises(BookBuildError, match="warnings are errors(.|\n)*nowhere"):
        build_book(book_yml, out_root=tmp_path, quiet=True)


@pytest.mark.browser  # builds a book with Sphinx: the browser stage
def test_formulas_are_typeset_by_the_bundled_mathjax(tmp_path):
    book_yml = _tiny_book(tmp_path, "# Two\n\nThe mel scale: $m = 2595 \\log_{10}(1 + f/700)$.")
    html_dir = build_book(book_yml, out_root=tmp_path, quiet=True).parent
    page = (html_dir / "notebooks" / "two.html").read_text(encoding="utf-8")
    assert "_static/mathjax/tex-chtml.js" in page, "the page must load MathJax from the book's own _static folder"
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert network_fetches(html_dir) == {}


def test_worked_solutions_are_folded_in_the_book_copy_only(tmp_path):
    book_yml = _tiny_book(tmp_path)
    source = tmp_path / "notebooks" / "one.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("answer = 42", metadata={"tags": ["solution"]}))
    nbformat.write(nb, source)
    copied = nbformat.read(write_sources(book_yml, out_root=tmp_path) / "notebooks" / "one.ipynb", as_version=4)
    assert copied.cells[-1].metadata["tags"] == ["solution", "hide-input"]
    assert copied.cells[1].metadata.get("tags", []) == [], "only solution cells are folded"
    assert nbformat.read(source, as_version=4).cells[-1].metadata["tags"] == ["solution"], "the course's notebook is untouched"


def test_a_page_that_loads_from_a_cdn_is_found(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "ok.html").write_text('<script src="_static/local.js"></script><a href="https://example.org">x</a>')
    (tmp_path / "sub" / "bad.html").write_text(
        '<script src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"></script>'
        '<link rel="stylesheet" href="//fonts.googleapis.com/css">')
    assert network_fetches(tmp_path) == {"sub/bad.html": ["//fonts.googleapis.com/css",
                                                          "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"]}


# --------------------------------------------------------------------------------------------
# Browser tests: the course's real book in headless Chromium.
# --------------------------------------------------------------------------------------------

def _need_browser() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    reason = None
    if missing:
        reason = (f"{' and '.join(missing)} not found: install the Debian packages chromium and "
                  "chromium-driver (.ci/run does) to run the browser test of the book")
    else:
        try:
            import selenium  # noqa: F401
        except ImportError:
            reason = "selenium is not installed: pip install -e '.[dev]'"
    if reason:
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"COURSE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def book_html() -> Path:
    """The course's book, built once per session into _build/html."""
    _need_browser()
    return build_book(quiet=True).parent


@pytest.fixture(scope="session")
def driver(book_html, tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never try to download a browser or a driver: both paths are given,
    # and should it run anyway, it is told to stay offline.
    saved = {k: os.environ.get(k) for k in ("SE_OFFLINE", "SE_AVOID_STATS")}
    os.environ.update(SE_OFFLINE="true", SE_AVOID_STATS="true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    drv.set_page_load_timeout(PAGE_TIMEOUT_S)
    yield drv
    drv.quit()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@dataclass
class PageVisit:
    """What the browser saw on one page of the book."""

    path: str                                   #: relative to the book's root, e.g. notebooks/05_1_image_embeddings.html
    title: str = ""
    text: str = ""
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)        #: absolute URLs of every <a href>
    nav: list[str] = field(default_factory=list)          #: absolute URLs of the sidebar's table of contents
    console: list[dict] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)    #: every URL the page fetched
    audio: list[dict] = field(default_factory=list)
    tables: int = 0
    figures: list[dict] = field(default_factory=list)     #: rendered and natural width of each output figure
    folded: list[dict] = field(default_factory=list)      #: each folded (hide-input) cell: is its code shown?
    code_blocks: int = 0                                  #: code cells laid out with a width
    code_overflow: list[dict] = field(default_factory=list)  #: code cells wider than their box (they scroll)
    screenshots: dict = field(default_factory=dict)       #: page height, height covered, last heading's top


_READ_PAGE_JS = """
const abs = (a) => a.href;
return {
  title: document.title,
  text: document.body.innerText,
  images: [...document.images].map(i => ({src: (i.currentSrc || i.src).slice(0, 200), complete: i.complete,
                                          naturalWidth: i.naturalWidth})),
  links: [...document.querySelectorAll('a[href]')].map(abs),
  nav: [...document.querySelectorAll('nav.bd-docs-nav a.reference.internal')].map(abs),
  resources: performance.getEntriesByType('resource').map(e => e.name),
  audio: [...document.querySelectorAll('audio')].map(a => ({readyState: a.readyState, duration: a.duration,
                                                           error: a.error ? a.error.code : null})),
  tables: document.querySelectorAll('table').length,
  figures: [...document.querySelectorAll('div.cell_output img')].map(i => ({
      src: (i.currentSrc || i.src).slice(0, 80), rendered: i.getBoundingClientRect().width, natural: i.naturalWidth})),
  code_blocks: [...document.querySelectorAll('div.cell_input pre')].filter(p => p.clientWidth > 0).length,
  code_overflow: [...document.querySelectorAll('div.cell_input pre')]
      .filter(p => p.clientWidth > 0 && p.scrollWidth > p.clientWidth + 1)
      .map(p => ({width: p.clientWidth, scroll: p.scrollWidth,
                  line: p.textContent.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 100)})),
  folded: [...document.querySelectorAll('div.cell.tag_hide-input')].map(c => {
      // A closed <details> keeps its content laid out (content-visibility), so its box has a height;
      // checkVisibility() says whether the reader can see it.
      const code = c.querySelector('div.cell_input');
      const fold = c.querySelector('details');
      return {shown: !!code && code.checkVisibility(), open: !!fold && fold.open, folded: !!fold};
  }),
};
"""

_SETTLED_JS = """
document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; });
return document.readyState === 'complete'
  && [...document.images].every(i => i.complete)
  && [...document.querySelectorAll('audio')].every(a => a.readyState >= 1 || a.error);
"""


def _wait_until_settled(drv) -> None:
    """Wait for the page, its images and its audio players' metadata (or their errors)."""
    deadline = time.monotonic() + PAGE_TIMEOUT_S
    while not drv.execute_script(_SETTLED_JS) and time.monotonic() < deadline:
        time.sleep(0.1)


#: Height of one screenshot slice: Chromium cannot capture a texture much taller than 16 000 px.
SLICE_HEIGHT = 8000


def _page_screenshots(drv, stem: str) -> dict:
    """Save the whole page as slices ``<stem>-01.png``, ``<stem>-02.png``... of at most SLICE_HEIGHT px.

    Returns the page height, the height the slices cover, and where the page's last section heading starts.
    """
    width = drv.execute_script("return document.documentElement.clientWidth")
    height = drv.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    last_heading = drv.execute_script(
        "const h = [...document.querySelectorAll('article h1, article h2, main h1, main h2')];"
        "return h.length ? h[h.length - 1].getBoundingClientRect().top + window.scrollY : null;")
    for old in SCREENSHOTS.glob(f"{stem}-*.png"):
        old.unlink()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    covered = 0
    for i, top in enumerate(range(0, height, SLICE_HEIGHT), start=1):
        clip = {"x": 0, "y": top, "width": width, "height": min(SLICE_HEIGHT, height - top), "scale": 1}
        shot = drv.execute_cdp_cmd("Page.captureScreenshot",
                                   {"format": "png", "clip": clip, "captureBeyondViewport": True})
        (SCREENSHOTS / f"{stem}-{i:02d}.png").write_bytes(base64.b64decode(shot["data"]))
        covered = top + clip["height"]
    return {"height": height, "covered": covered, "last_heading": last_heading}


def _chapter_pages(book_html: Path) -> dict[str, str]:
    """Chapter page (relative .html path) → notebook stem, from the generated _toc.yml."""
    toc = yaml.safe_load((book_html.parents[1] / SOURCE_DIR / "_toc.yml").read_text(encoding="utf-8"))
    return {f"{entry['file']}.html": Path(entry["file"]).name for entry in toc["chapters"]}


def _book_file(url_path: str) -> str:
    """The book-relative file a URL path on the book's server names (``/a/`` is ``a/index.html``)."""
    path = unquote(url_path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def _page_path(url: str, base: str) -> str | None:
    """The book-relative file an absolute URL points to, or None for another origin."""
    return _book_file(urlsplit(url).path) if url.startswith(base) else None


@pytest.fixture(scope="session")
def visits(book_html, driver) -> dict[str, PageVisit]:
    """Open every page of the book: crawl from the landing page, plus any HTML page on disk."""
    pages = _chapter_pages(book_html)
    seen: dict[str, PageVisit] = {}
    with serve(book_html) as base_url:
        on_disk = sorted(p.relative_to(book_html).as_posix() for p in book_html.rglob("*.html")
                         if not p.relative_to(book_html).parts[0].startswith("_"))
        queue = deque(["index.html", *on_disk])
        driver.get_log("browser")  # start with an empty console log
        while queue:
            path = queue.popleft()
            if path in seen:
                continue
            driver.get(base_url + path)
            _wait_until_settled(driver)
            visit = PageVisit(path=path, **driver.execute_script(_READ_PAGE_JS))
            visit.console = driver.get_log("browser")
            seen[path] = visit
            if path in pages or path == "index.html":  # every chapter, and the landing page as index.png
                visit.screenshots = _page_screenshots(driver, pages.get(path, "index"))
            for link in visit.links:
                target = _page_path(link, base_url)
                if target and target.endswith(".html") and not target.startswith("_") and target not in seen:
                    queue.append(target)
        for visit in seen.values():  # make URLs server-independent for the assertions
            for name in ("links", "nav", "resources"):
                setattr(visit, name, [u.replace(base_url, "/", 1) if u.startswith(base_url) else u
                                      for u in getattr(visit, name)])
    return seen


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)


def _anchors(file: Path, cache: dict) -> set[str]:
    if file not in cache:
        parser = _Anchors()
        parser.feed(file.read_text(encoding="utf-8", errors="replace"))
        cache[file] = parser.ids
    return cache[file]


def _unsmart(text: str) -> str:
    """Undo Sphinx's smart quotes and dashes, so book.yml text compares with the rendered page."""
    return (text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
            .replace("\u2014", "---").replace("\u2013", "--"))


@pytest.mark.browser
def test_every_chapter_is_in_the_books_navigation_in_book_yml_order(book_html, visits):
    expected = list(_chapter_pages(book_html))
    assert expected == [c.notebook.relative_to(REPO_ROOT).with_suffix(".html").as_posix() for c in chapters()]
    nav = [u.lstrip("/").split("#")[0] for u in visits["index.html"].nav]
    assert [p for p in nav if p in expected] == expected
    assert set(expected) <= set(visits), "every chapter page was opened"


@pytest.mark.browser
def test_every_page_shows_all_its_images(visits):
    broken = [f"{v.path}: {img['src']}" for v in visits.values() for img in v.images if img["naturalWidth"] == 0]
    assert not broken, "images that did not load:\n" + "\n".join(broken)


@pytest.mark.browser
def test_every_chapter_page_has_its_notebooks_figures_tables_and_audio(book_html, visits):
    pages = _chapter_pages(book_html)
    for chapter in chapters():
        page = chapter.notebook.relative_to(REPO_ROOT).with_suffix(".html").as_posix()
        assert page in pages
        nb = nbformat.read(chapter.notebook, as_version=4)
        outputs = [o for c in nb.cells for o in c.get("outputs", [])]
        figures = sum("image/png" in o.get("data", {}) for o in outputs)
        html = " ".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))
        visit = visits[page]
        assert len(visit.images) >= figures, f"{page}: {len(visit.images)} images for {figures} figures"
        assert visit.tables >= html.count("<table"), f"{page}: HTML tables in the notebook are missing"
        assert len(visit.audio) >= html.count("<audio"), f"{page}: audio players in the notebook are missing"


@pytest.mark.browser
def test_audio_chapter_has_playable_audio_players(visits):
    with_audio = {p: v.audio for p, v in visits.items() if v.audio}
    assert any("audio" in p for p in with_audio), f"no audio players on the audio chapter; pages with audio: {list(with_audio)}"
    for page, players in with_audio.items():
        for i, player in enumerate(players):
            assert player["error"] is None, f"{page}: audio player {i} failed to load (MediaError {player['error']})"
            assert player["readyState"] >= 1 and player["duration"] > 0, f"{page}: audio player {i}: {player}"


@pytest.mark.browser
def test_every_internal_link_resolves_to_a_file_and_anchor(book_html, visits):
    cache: dict = {}
    broken = []
    for visit in visits.values():
        for link in visit.links:
            if not link.startswith("/"):
                continue  # another origin (an external reference): not part of the offline book
            parts = urlsplit(link)
            target = _book_file(parts.path)
            file = book_html / target
            if not file.is_file():
                broken.append(f"{visit.path}: {link} (no file {target})")
            elif parts.fragment and file.suffix == ".html" and unquote(parts.fragment) not in _anchors(file, cache):
                broken.append(f"{visit.path}: {link} (no #{parts.fragment} in {target})")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken)))


@pytest.mark.browser
def test_no_console_errors_and_nothing_fetched_from_the_network(visits):
    errors = [f"{v.path}: {e['message']}" for v in visits.values() for e in v.console if e["level"] == "SEVERE"]
    assert not errors, "console errors:\n" + "\n".join(errors)
    remote = [f"{v.path}: {u}" for v in visits.values() for u in v.resources
              if not (u.startswith("/") or u.startswith(("data:", "blob:")))]
    assert not remote, "fetched from outside the book's local server:\n" + "\n".join(remote)


@pytest.mark.browser
def test_landing_page_lists_every_chapter_with_objectives_and_run_time(visits):
    text = _unsmart(visits["index.html"].text)
    assert load_book()["title"] in text
    for chapter in chapters():
        assert chapter.title in text
        run_time = f"{chapter.run_time_minutes:g} minute"
        assert run_time in text, f"{chapter.id}: run time '{run_time}' not on the landing page"
        for objective in chapter.objectives:
            assert _unsmart(objective) in text, f"{chapter.id}: objective not on the landing page: {objective}"


@pytest.mark.browser
def test_screenshots_cover_every_chapter_page_to_its_last_section(book_html, visits):
    for page, stem in _chapter_pages(book_html).items():
        info = visits[page].screenshots
        shots = sorted(SCREENSHOTS.glob(f"{stem}-*.png"))
        assert shots, f"no screenshot of {page}"
        for shot in shots:
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
        # every full slice shows a page's worth of content; the last one may be a short strip of the page's end
        assert all(shot.stat().st_size > 10_000 for shot in shots[:-1]), [s.stat().st_size for s in shots]
        assert info["covered"] >= info["height"], f"{page}: screenshots cover {info['covered']} of {info['height']} px"
        assert info["last_heading"] is not None and info["last_heading"] < info["covered"], \
            f"{page}: the last section (at {info['last_heading']} px) is in no screenshot"


@pytest.mark.browser
def test_figures_are_not_shrunk_in_the_book_column(visits):
    """At a 1280-px window a figure drawn for the page keeps at least 80 % of its natural width."""
    shrunk = [f"{v.path}: {f['src']} shown at {f['rendered']:.0f} of {f['natural']} px ({f['rendered'] / f['natural']:.2f})"
              for v in visits.values() for f in v.figures if f["natural"] and f["rendered"] / f["natural"] < 0.8]
    figures = sum(len(v.figures) for v in visits.values())
    assert figures > 0, "no output figures were measured"
    assert not shrunk, "figures shrunk below 0.8 of their natural width (draw them at most ~8 in wide at 100 dpi):\n" + "\n".join(shrunk)


@pytest.mark.browser
def test_code_fits_the_column(visits):
    """At a 1280-px window no code cell scrolls sideways: its longest line fits the column."""
    wide = [f"{v.path}: {o['scroll']} px of code in a {o['width']} px box: {o['line']!r}"
            for v in visits.values() for o in v.code_overflow]
    assert sum(v.code_blocks for v in visits.values()) > 0, "no code cells were measured"
    assert not wide, "code lines wider than the column (keep notebook code within 88 characters):\n" + "\n".join(wide)


@pytest.mark.browser
def test_worked_solutions_are_folded_until_opened(book_html, visits):
    solutions = sum("solution" in c.get("metadata", {}).get("tags", [])
                    for ch in chapters() for c in nbformat.read(ch.notebook, as_version=4).cells)
    folded = [f for v in visits.values() for f in v.folded]
    assert len(folded) == solutions > 0, f"{len(folded)} folded cells for {solutions} solution cells"
    assert all(f["folded"] and not f["open"] for f in folded), "a worked solution is not in a closed fold"
    assert not any(f["shown"] for f in folded), "a worked solution's code is visible before the reader opens it"
