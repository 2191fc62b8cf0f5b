"""`course search`: index a folder of media, query it, find duplicates; incremental, resumable, one-sentence errors.

Media are made by code in tmp_path (the course's sample photos at 64 px, a synthesised sound, short mp4s) and
embedded with the course's real encoders (EfficientNet-Lite0, aiSFX); a small deterministic embedder stands in
only where a test needs an index built with another model.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import faiss
import numpy as np
import pytest
import soundfile
from PIL import Image

from course_utils.audio.sounds import brass_tone
from course_utils.image.photos import augment, sample_photo
from course_utils.search.media import Embedder
from course_utils.search.store import IndexSummary, SearchIndex, index_lock
from course_utils.tooling.book_config import repo_root
from course_utils.tooling.cli import main
from course_utils.video import write_video

PHOTOS = ("cat", "coffee", "astronaut", "rocket")
SUMMARY = re.compile(r"(\d+) new, (\d+) changed \(re-embedded\), (\d+) unchanged \(not read\), (\d+) removed "
                     r"\(deleted\), (\d+) skipped")


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")


def photo(name: str) -> Image.Image:
    return sample_photo(name).resize((64, 64))


def clip_of(image: Image.Image, n: int = 6) -> np.ndarray:
    return np.repeat(np.asarray(image)[None], n, axis=0)


def make_media(folder: Path) -> Path:
    """Four photos, a brightened JPEG copy of the cat, a sound, and a still clip of the rocket."""
    folder.mkdir()
    for name in PHOTOS:
        photo(name).save(folder / f"{name}.png")
    augment(photo("cat"), "brightness", seed=1).save(folder / "cat_brighter.jpg")
    soundfile.write(folder / "brass.wav", brass_tone(440.0, duration=0.5), 22050)
    write_video(folder / "rocket.mp4", clip_of(photo("rocket")))
    return folder


def make_junk(folder: Path) -> dict[str, str]:
    """Files that are not media, or broken, with a word their reason must contain."""
    (folder / "notes.jpg").write_text("a text file renamed .jpg\n" * 4)
    (folder / "empty.png").write_bytes(b"")
    (folder / "blob.bin").write_bytes(np.random.default_rng(0).bytes(4096))
    png = (folder / "cat.png").read_bytes()
    (folder / "truncated.png").write_bytes(png[: len(png) // 3])
    return {"notes.jpg": "not an image, sound or video", "empty.png": "empty", "blob.bin": "not an image",
            "truncated.png": "truncated"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["search", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def counts(out: str) -> dict[str, int]:
    match = SUMMARY.search(out)
    assert match, out
    return dict(zip(["new", "changed", "unchanged", "removed", "skipped"], map(int, match.groups())))


def results(out: str) -> list[tuple[float, str, str]]:
    """The rows of `course search query`: (cosine, kind, file name)."""
    rows = [line.split() for line in out.splitlines()[1:]]
    return [(float(r[1]), r[2], Path(r[3]).name) for r in rows]


def one_sentence(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def index_new(capsys, folder: Path) -> tuple[Path, Path]:
    """Media made in ``folder``/media and indexed into ``folder``/db with the course's encoders."""
    media, db = make_media(folder / "media"), folder / "db"
    status, out, _ = run(capsys, "index", str(media), "--db", str(db))
    assert status == 0 and counts(out) == {"new": 7, "changed": 0, "unchanged": 0, "removed": 0, "skipped": 0}
    return media, db


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One indexed folder for the tests that only read it (embedding is the slow part)."""
    folder = tmp_path_factory.mktemp("shared")
    media, db = make_media(folder / "media"), folder / "db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COURSE_OFFLINE", "1")
        assert main(["search", "index", str(media), "--db", str(db)]) == 0
    return media, db


@pytest.fixture
def indexed(shared, capsys):
    capsys.readouterr()
    return shared


@pytest.fixture
def db_copy(shared, tmp_path):
    """The shared index copied, for a test that damages it (the media stay where they are)."""
    shutil.copytree(shared[1], tmp_path / "db")
    return shared[0], tmp_path / "db"


def test_query_finds_the_file_itself_then_its_edited_copy(indexed, capsys):
    media, db = indexed
    status, out, _ = run(capsys, "query", str(media / "cat.png"), "--db", str(db), "-k", "3")
    assert status == 0
    hits = results(out)
    assert hits[0][1:] == ("image", "cat.png") and hits[0][0] == pytest.approx(1.0, abs=1e-3)
    assert hits[1][1:] == ("image", "cat_brighter.jpg") and hits[1][0] > hits[2][0]
    assert [h[2] for h in hits] != ["cat.png", "cat_brighter.jpg", "brass.wav"], "sounds live in their own space"


def test_a_photo_finds_the_clip_made_of_it_and_a_sound_finds_itself(indexed, capsys):
    media, db = indexed
    _, out, _ = run(capsys, "query", str(media / "rocket.png"), "--db", str(db), "-k", "2")
    assert {(kind, name) for _, kind, name in results(out)} == {("image", "rocket.png"), ("video", "rocket.mp4")}
    _, out, _ = run(capsys, "query", str(media / "brass.wav"), "--db", str(db))
    hits = results(out)
    assert [(kind, name) for _, kind, name in hits] == [("audio", "brass.wav")]
    assert hits[0][0] == pytest.approx(1.0, abs=1e-3)


def test_dups_groups_the_edited_copy_and_the_clip_with_their_originals(indexed, capsys):
    _, db = indexed
    status, out, _ = run(capsys, "dups", "--db", str(db))
    assert status == 0
    groups = [sorted(Path(line.split()[-1]).name for line in block.strip().splitlines()[1:])
              for block in out.split("group ")[1:]]
    assert sorted(groups) == [["cat.png", "cat_brighter.jpg"], ["rocket.mp4", "rocket.png"]]
    _, out, _ = run(capsys, "dups", "--db", str(db), "--threshold", "0.9999")
    assert out.startswith("no near-duplicates")


def test_sounds_are_grouped_with_their_own_threshold_not_the_images(tmp_path, capsys):
    """aiSFX rates a brass note and white noise 0.8 or so: the images' 0.52 would call them duplicates."""
    media, db = tmp_path / "media", tmp_path / "db"
    media.mkdir()
    soundfile.write(media / "brass.wav", brass_tone(440.0, duration=0.5), 22050)
    soundfile.write(media / "noise.wav", 0.1 * np.random.default_rng(0).standard_normal(11025), 22050)
    assert run(capsys, "index", str(media), "--db", str(db))[0] == 0
    _, out, _ = run(capsys, "dups", "--db", str(db))
    assert out.startswith("no near-duplicates"), out
    _, out, _ = run(capsys, "dups", "--db", str(db), "--threshold", "0.52")
    assert out.startswith("group 1: 2 files"), out


def test_reindex_reads_only_what_changed_and_forgets_deleted_files(tmp_path, capsys):
    media, db = index_new(capsys, tmp_path)
    _, out, _ = run(capsys, "index", str(media), "--db", str(db))
    assert counts(out) == {"new": 0, "changed": 0, "unchanged": 7, "removed": 0, "skipped": 0}
    photo("coins").save(media / "coffee.png")            # same name, another picture
    (media / "rocket.png").unlink()
    _, out, _ = run(capsys, "index", str(media), "--db", str(db))
    assert counts(out) == {"new": 0, "changed": 1, "unchanged": 5, "removed": 1, "skipped": 0}
    os.utime(media / "cat.png", ns=(time.time_ns(), time.time_ns() + 10**9))   # touched, not changed
    _, out, _ = run(capsys, "index", str(media), "--db", str(db))
    assert counts(out)["changed"] == 1
    photo("coins").save(tmp := media / "probe.png")
    _, out, _ = run(capsys, "query", str(tmp), "--db", str(db), "-k", "10")
    names = [name for _, _, name in results(out)]
    assert "rocket.png" not in names and names[0] == "coffee.png", "the re-embedded file carries its new picture"


def test_junk_is_skipped_with_a_reason_each_and_the_run_succeeds(tmp_path, capsys):
    media = make_media(tmp_path / "media")
    junk = make_junk(media)
    status, out, err = run(capsys, "index", str(media), "--db", str(tmp_path / "db"))
    assert status == 0 and "Traceback" not in out + err
    assert counts(out)["new"] == 7 and counts(out)["skipped"] == len(junk)
    for name, word in junk.items():
        line = next(line for line in out.splitlines() if line.strip().startswith(str(media / name) + ":"))
        assert word in line, line


def test_a_folder_without_media_is_one_sentence_and_a_failure(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    status, _, err = run(capsys, "index", str(tmp_path / "empty"), "--db", str(tmp_path / "db"))
    assert status == 1 and "found no image, sound or video" in one_sentence(err)
    junk_only = tmp_path / "junk"
    junk_only.mkdir()
    (junk_only / "readme.txt").write_text("hello")
    status, out, err = run(capsys, "index", str(junk_only), "--db", str(tmp_path / "db"))
    assert status == 1 and "readme.txt: not an image" in out and "found no image" in one_sentence(err)


def test_bad_paths_get_one_sentence(indexed, tmp_path, capsys):
    media, db = indexed
    cases = [(("query", str(media / "cat.png"), "--db", str(tmp_path / "nowhere")), "there is no search index"),
             (("dups", "--db", str(media / "cat.png")), "is a file; the index is a folder"),
             (("index", str(media), "--db", str(media / "cat.png")), "is a file; the index is a folder"),
             (("index", str(media / "cat.png"), "--db", str(db)), "expected a folder to index"),
             (("query", str(media / "nothing.png"), "--db", str(db)), "no such file")]
    (tmp_path / "notes.txt").write_text("not media")
    cases.append((("query", str(tmp_path / "notes.txt"), "--db", str(db)), "not an image, sound or video"))
    for argv, words in cases:
        status, _, err = run(capsys, *argv)
        assert status == 2 and words in one_sentence(err), (argv, err)


def test_a_damaged_faiss_file_is_rebuilt_from_sqlite(db_copy, capsys):
    media, db = db_copy
    (db / "efficientnet_lite0.faiss").write_bytes(b"not a faiss index")
    status, out, err = run(capsys, "query", str(media / "cat.png"), "--db", str(db), "-k", "1")
    assert status == 0 and results(out)[0][2] == "cat.png"
    assert "damaged" in one_sentence(err) and "rebuilt from the SQLite table" in err
    run(capsys, "index", str(media), "--db", str(db))
    assert faiss.read_index(str(db / "efficientnet_lite0.faiss")).ntotal == 6   # 4 photos, a copy, a clip


def test_a_damaged_sqlite_file_is_one_sentence(db_copy, capsys):
    media, db = db_copy
    (db / "index.sqlite").write_bytes(b"this is not a database" * 100)
    for argv in (("query", str(media / "cat.png")), ("dups",), ("index", str(media))):
        status, _, err = run(capsys, *argv, "--db", str(db))
        assert status == 2 and "index.sqlite is damaged" in one_sentence(err), err


def test_a_second_index_on_the_same_db_is_refused(indexed, capsys):
    media, db = indexed
    with index_lock(db):
        status, out, err = run(capsys, "index", str(media), "--db", str(db))
    assert status == 2 and out == ""
    assert "another course search index is running" in one_sentence(err)
    status, _, _ = run(capsys, "index", str(media), "--db", str(db))
    assert status == 0, "the lock goes with its holder"


def test_qdrant_local_mode_gives_the_same_neighbours_as_faiss(indexed, tmp_path, capsys):
    media, db = indexed
    qdrant = ["--backend", "qdrant", "--qdrant-path", str(tmp_path / "qdrant")]
    status, out, _ = run(capsys, "index", str(media), "--db", str(db), *qdrant)
    assert status == 0 and counts(out)["unchanged"] == 7, "SQLite is the record for both backends"
    for query in ("cat.png", "rocket.png", "brass.wav"):
        by_backend = [results(run(capsys, "query", str(media / query), "--db", str(db), "-k", "3", *extra)[1])
                      for extra in ([], qdrant)]
        assert [h[2] for h in by_backend[0]] == [h[2] for h in by_backend[1]]
        assert np.allclose([h[0] for h in by_backend[0]], [h[0] for h in by_backend[1]], atol=2e-3)
    assert run(capsys, "dups", "--db", str(db))[1] == run(capsys, "dups", "--db", str(db), *qdrant)[1]


def thumbnail_embedder(model: str, dim: int) -> Embedder:
    """A stand-in image model: the first ``dim`` pixels of an 8 x 8 thumbnail, centred."""
    def load(path: Path) -> np.ndarray:
        return np.asarray(Image.open(path).convert("RGB").resize((8, 8)), dtype=np.float32).ravel()[:dim]
    return Embedder(model, dim, load, lambda items: np.stack([x - x.mean() for x in items]))


@pytest.mark.parametrize("model, dim", [("thumbnail", 192), ("efficientnet_lite0", 48)])
def test_a_query_with_another_model_or_size_than_the_index_is_refused(tmp_path, capsys, model, dim):
    media, db = make_media(tmp_path / "media"), tmp_path / "db"
    with index_lock(db), SearchIndex(db, create=True) as index:
        summary = index.index(media, {"image": thumbnail_embedder(model, dim)}, IndexSummary(), progress=False)
    assert summary.new == 5 and sorted(reason for _, reason in summary.skipped) == [
        "this run has no model for sounds", "this run has no model for videos"]
    status, _, err = run(capsys, "query", str(media / "cat.png"), "--db", str(db))
    assert status == 2
    assert f"holds images embedded with {model} ({dim}-d), but these are embedded with efficientnet_lite0 (1280-d)" \
        in one_sentence(err)


def wait_for_rows(db: Path, proc: subprocess.Popen, timeout: float = 120) -> int:
    """Poll the SQLite table until it holds a row; return how many."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if (db / "index.sqlite").exists():
            try:
                with sqlite3.connect(db / "index.sqlite") as sql:
                    rows = sql.execute("SELECT COUNT(*) FROM items").fetchone()[0]
            except sqlite3.OperationalError:   # the table is not made yet
                rows = 0
            if rows:
                return rows
        time.sleep(0.02)
    raise AssertionError(f"no row appeared (exit status {proc.poll()})")


def many_photos(folder: Path, n: int = 30) -> Path:
    """``n`` different small pictures: edited sample photos."""
    folder.mkdir()
    names = ["cat", "coffee", "astronaut", "rocket", "temple", "flower"]
    for i in range(n):
        augment(photo(names[i % len(names)]), ["flip", "crop", "brightness", "jpeg"][i % 4], seed=i).save(
            folder / f"photo_{i:02d}.png")
    return folder


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT])
def test_a_run_stopped_halfway_keeps_its_rows_and_the_next_run_resumes(tmp_path, capsys, stop):
    media, db = many_photos(tmp_path / "media"), tmp_path / "db"
    command = [str(Path(sys.executable).parent / "course"), "search", "index", str(media), "--db", str(db)]
    proc = subprocess.Popen(command, cwd=repo_root(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "COURSE_OFFLINE": "1"})
    wait_for_rows(db, proc)
    proc.send_signal(stop)
    out, err = proc.communicate(timeout=60)
    with sqlite3.connect(db / "index.sqlite") as sql:
        saved = sql.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    assert 0 < saved < 30, "stopped halfway"
    if stop == signal.SIGINT:
        assert proc.returncode == 130 and "Traceback" not in err
        last = err.strip().splitlines()[-1]
        assert last.startswith("course search index: interrupted;") and "run the same command again" in last
        assert f"{saved} of the 30 new or changed files are embedded and saved" in last
    status, out, _ = run(capsys, "query", str(media / "photo_00.png"), "--db", str(db), "-k", "1")
    assert status == 0 and results(out)[0][2] == "photo_00.png", "the stopped run's index answers"
    status, out, _ = run(capsys, "index", str(media), "--db", str(db))
    assert status == 0 and counts(out) == {"new": 30 - saved, "changed": 0, "unchanged": saved, "removed": 0,
                                           "skipped": 0}
    with sqlite3.connect(db / "index.sqlite") as sql:
        assert sorted(p for (p,) in sql.execute("SELECT path FROM items")) == sorted(
            str(p) for p in media.iterdir())


def test_search_help_says_what_qdrant_local_mode_is(capsys):
    with pytest.raises(SystemExit):
        main(["search", "index", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "Qdrant local mode" in help_text and "no server" in help_text and "brute force" in help_text
