"""`course search index`: its throughput against the bare encoder, and the time of a re-index with nothing new.

Measured in this one run, on the same image files (the course's sample photos, edited, saved as PNG):

1. **bare embed**: ``ImageEncoder.embed(paths)``, the course's encoder reading the files itself, with its
   default batch size. This is the most the index can do, since it embeds with the same encoder.
2. **index**: :meth:`SearchIndex.index` into a new index folder, in this process with the model already
   loaded, so what it adds is measured: content sniffing, SHA-256, SQLite commits every few files, faiss.
   Target: at least 0.9 of the bare rate.
3. **unchanged re-index**: ``course search index`` run as a command on a folder of ``--n-unchanged`` files
   indexed before, so nothing is read again; the whole process is timed, Python's start-up included.
   Target: under 2 s for 1 000 files. The first index of those files is made with a stand-in embedder that
   carries Lite0's name and size (the pixels of a 32-px picture, centred), because Lite0 would take minutes
   on 1 000 files and the re-index being timed never embeds anything.

    python benchmarks/bench_search_index.py [--n 32] [--repeats 3] [--n-unchanged 1000]

The first two are timed ``--repeats`` times, interleaved, and the best time kept, so a burst of load from
another process hits both alike and is mostly filtered out.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from course_utils.image.photos import AUGMENTATIONS, augment, photo_names, sample_photo
from course_utils.image.registry import load_image_encoder
from course_utils.search.media import IMAGE_DIM, IMAGE_MODEL, Embedder, course_embedders
from course_utils.search.store import IndexSummary, SearchIndex, index_lock


def write_photos(folder: Path, n: int, size: int) -> list[Path]:
    """``n`` edited sample photos of ``size`` pixels a side, as PNG files."""
    folder.mkdir(parents=True)
    base = [sample_photo(name).resize((size, size)) for name in photo_names()]
    kinds = list(AUGMENTATIONS)
    paths = []
    for i in range(n):
        path = folder / f"photo_{i:04d}.png"
        augment(base[i % len(base)], kinds[i % len(kinds)], seed=i).resize((size, size)).save(path)
        paths.append(path)
    return paths


def index_once(folder: Path, db: Path, embedders: dict) -> IndexSummary:
    """Index ``folder`` into a new index folder ``db``."""
    shutil.rmtree(db, ignore_errors=True)
    with index_lock(db), SearchIndex(db, create=True) as index:
        return index.index(folder, embedders, IndexSummary(), progress=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=32, help="images for the throughput comparison")
    parser.add_argument("--size", type=int, default=256, help="their side in pixels")
    parser.add_argument("--repeats", type=int, default=3, help="timings per cell; the best is kept")
    parser.add_argument("--n-unchanged", type=int, default=1000, help="files in the unchanged re-index")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_search_"))
    try:
        paths = write_photos(work / "photos", args.n, args.size)
        encoder = load_image_encoder("efficientnet_lite0", device="cpu")
        embedders = course_embedders()
        encoder.embed(paths[:8])                                   # warm-up: first calls pick kernels
        index_once(work / "photos", work / "db", embedders)        # ... and load the index's own encoder
        best = {"bare": float("inf"), "index": float("inf")}
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            encoder.embed(paths)
            best["bare"] = min(best["bare"], time.perf_counter() - t0)
            t0 = time.perf_counter()
            summary = index_once(work / "photos", work / "db", embedders)
            best["index"] = min(best["index"], time.perf_counter() - t0)
            assert summary.new == args.n, summary
        rate = {name: args.n / seconds for name, seconds in best.items()}
        print(f"{args.n} PNG images of {args.size} px, EfficientNet-Lite0 on the CPU, torch threads "
              f"{torch.get_num_threads()}, best of {args.repeats} interleaved runs")
        print(f"bare ImageEncoder.embed(paths): {rate['bare']:.1f} images/s")
        print(f"SearchIndex.index (sniff, hash, embed, SQLite, faiss): {rate['index']:.1f} images/s")
        print(f"index / bare: {rate['index'] / rate['bare']:.2f}  (target >= 0.90)")

        many = work / "many"
        write_photos(many, args.n_unchanged, 32)
        stand_in = Embedder(IMAGE_MODEL, IMAGE_DIM, lambda path: np.asarray(Image.open(path), np.float32).ravel(),
                            lambda items: np.stack([x[:IMAGE_DIM] - x.mean() for x in items]))
        summary = index_once(many, work / "db_many", {"image": stand_in})
        print(f"first index of {args.n_unchanged} images of 32 px (stand-in embedder): {summary.new} files")
        command = [str(Path(sys.executable).parent / "course"), "search", "index", str(many), "--db",
                   str(work / "db_many")]
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "COURSE_OFFLINE": "1"})
            times.append(time.perf_counter() - t0)
            if f"{args.n_unchanged} unchanged" not in done.stdout:
                raise SystemExit(f"the re-index did not find every file unchanged: {done.stdout}{done.stderr}")
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import course_utils.tooling.cli"], check=True)
        startup = time.perf_counter() - t0
        print(f"unchanged re-index of {args.n_unchanged} files, the whole `course search index` process: "
              f"best {min(times):.2f} s, all {', '.join(f'{t:.2f}' for t in times)}  (target < 2 s; "
              f"Python start-up and the CLI import alone: {startup:.2f} s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
