"""Search at scale (chapter 5.8): exact search against HNSW at a million vectors, and Ray Data embedding.

Measured in this one run:

1. **collection**: ``--n`` clustered 256-d unit vectors (default 1 000 000, in 1 000 clusters) and
   1 000 held-out queries from the same clusters; exact neighbours by faiss ``IndexFlatIP``.
2. **exact search**: queries per second and memory (``faiss.serialize_index``).
3. **HNSW** (``--m`` links, ``--ef-construction`` 100 by default): build time and memory, then an ``efSearch`` sweep with
   recall@10 and queries per second at each value; the smallest ``efSearch`` reaching recall@10 >= 0.95
   gives the headline latency and the HNSW / exact ratio.
4. **Ray Data** against the single-process loop: Lite0 embeddings of ``--images`` edited photos, by
   ``encoder.embed`` and by ``map_batches`` with two actors on a local Ray, throughput ratio and the
   largest difference between the two sets of vectors.

Searches use faiss's default threads (all cores) with 1 000 queries per call, the best of ``--repeats``;
exact search is also timed one query per call (what a search box sees).

Measured on the 2-core development machine (AMD EPYC, AVX2), with other work on it: exact search's speed
moved 8x between runs with the load, so compare the HNSW rows with each other, and the ratio "vs exact"
only within a quiet run.

- ``--n 1000000 --m 32 --ef-construction 40``: exact 282 queries/s batched (3.6 ms per query), 152 ms
  per query one at a time; HNSW built in 477 s, 1.30 GB against 1.02 GB of vectors; recall@10 climbs
  from 0.59 (efSearch 16) to 0.93 (efSearch 1024) and stops there: a graph built with 40 candidates
  misses some neighbours that no search effort recovers. Ray Data / single process on 64 images:
  0.63 (actors loading the model included), max difference 6.2e-06.
- ``--n 1000000 --m 32 --ef-construction 100`` (the default): HNSW built in 702 s; efSearch 64 reaches
  recall@10 0.966 at 2 974 queries/s (0.34 ms per query), efSearch 128 0.995 at 2 332; exact search
  ran at 36 queries/s in that run, under a notebook test's load, so the printed 83x overstates the
  quiet-machine ratio (about 10x against the 282 queries/s above).
- ``--n 200000 --m 32 --ef-construction 40``: exact 1 357 queries/s; HNSW built in 36 s, 0.26 GB;
  efSearch 64 reaches recall@10 0.950 at 7 845 queries/s (0.127 ms per query, 6x exact).

    python benchmarks/bench_search_scale.py [--n 1000000] [--m 32] [--ef-construction 100] [--repeats 3]
                                            [--images 64] [--no-ray]
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import warnings

import faiss
import numpy as np

from course_utils.image.photos import AUGMENTATIONS, augment, photo_names, sample_photo
from course_utils.image.registry import load_image_encoder
from course_utils.search import ann

K = 10
EF_SWEEP = (16, 32, 64, 128, 256, 512, 1024)


def search_part(n: int, m: int, ef_construction: int, repeats: int) -> None:
    """Exact search against HNSW on ``n`` clustered 256-d vectors."""
    start = time.perf_counter()
    both = ann.clustered_vectors(n + 1000, 256, n_clusters=1000, spread=1.0, seed=0)
    data, queries = both[:n], both[n:]
    del both
    print(f"{n:,} clustered 256-d vectors + 1,000 queries drawn in {time.perf_counter() - start:.1f} s; "
          f"faiss threads {faiss.omp_get_max_threads()}")

    exact = faiss.IndexFlatIP(256)
    exact.add(data)
    start = time.perf_counter()
    _, truth = exact.search(queries, K)
    exact_qps = max(len(queries) / (time.perf_counter() - start),
                    ann.queries_per_second(exact, queries, K, repeats=max(1, repeats - 1)))
    print(f"exact: {exact_qps:,.0f} queries/s ({1000 / exact_qps:.2f} ms per query), "
          f"{exact.ntotal * 256 * 4 / 1e9:.2f} GB of vectors")
    start = time.perf_counter()
    for q in queries[:50]:  # what a search box sees: one query per call
        exact.search(q[None, :], K)
    print(f"exact, one query per call: {1000 * (time.perf_counter() - start) / 50:.1f} ms per query")

    index = faiss.IndexHNSWFlat(256, m, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = ef_construction
    start = time.perf_counter()
    index.add(data)  # all threads: the benchmark measures speed, not a reproducible graph
    build_s = time.perf_counter() - start
    print(f"HNSW M={m}, efConstruction {ef_construction}: built in {build_s:.0f} s, {ann.index_bytes(index) / 1e9:.2f} GB")
    print(f"  {'efSearch':>8s} {'recall@10':>9s} {'queries/s':>10s} {'ms/query':>9s} {'vs exact':>9s}")
    chosen = None
    for ef in EF_SWEEP:
        params = faiss.SearchParametersHNSW(efSearch=ef)
        recall = ann.recall_at_k(index.search(queries, K, params=params)[1], truth)
        qps = ann.queries_per_second(index, queries, K, params, repeats=repeats)
        print(f"  {ef:8d} {recall:9.3f} {qps:10,.0f} {1000 / qps:9.3f} {qps / exact_qps:8.0f}x")
        if chosen is None and recall >= 0.95:
            chosen = (ef, recall, qps)
    if chosen is None:
        print("no efSearch of the sweep reached recall@10 0.95")
    else:
        ef, recall, qps = chosen
        print(f"smallest efSearch with recall@10 >= 0.95: {ef} (recall {recall:.3f}): "
              f"{1000 / qps:.3f} ms per query, {qps / exact_qps:.0f}x the queries/s of exact search")


class _Embed:
    """A Ray Data worker: loads Lite0 once, then embeds batches of images."""

    def __init__(self):
        self.encoder = load_image_encoder("efficientnet_lite0", device="cpu")

    def __call__(self, batch):
        batch["vector"] = self.encoder.embed(list(batch["image"]), batch_size=16)
        return batch


def ray_part(n_images: int) -> None:
    """Ray Data's map_batches against the single-process loop, on the same edited photos."""
    os.environ["RAY_DATA_LOG_LEVEL"] = "ERROR"
    import ray

    base = [sample_photo(name) for name in photo_names()]
    kinds = list(AUGMENTATIONS)
    images = [np.asarray(augment(base[i % len(base)], kinds[i % len(kinds)], seed=i)) for i in range(n_images)]
    encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    encoder.embed(images[:4])  # warm-up
    start = time.perf_counter()
    single = encoder.embed(images, batch_size=16)
    single_s = time.perf_counter() - start

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = ray.data.from_items([{"id": i, "image": im} for i, im in enumerate(images)]).map_batches(
                _Embed, batch_size=8, compute=ray.data.ActorPoolStrategy(size=2), max_restarts=0).take_all()
        ray_s = time.perf_counter() - start
    finally:
        ray.shutdown()
    vectors = np.stack([r["vector"] for r in sorted(rows, key=lambda r: r["id"])])
    print(f"{n_images} images: single process {n_images / single_s:.1f} images/s, Ray Data (2 actors, "
          f"model loading included) {n_images / ray_s:.1f} images/s; Ray / single {single_s / ray_s:.2f}; "
          f"max |difference| {np.abs(vectors - single).max():.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors in the collection")
    parser.add_argument("--m", type=int, default=32, help="HNSW links per vector")
    parser.add_argument("--ef-construction", type=int, default=100,
                        help="HNSW candidates kept while building (more: a better graph, a slower build)")
    parser.add_argument("--repeats", type=int, default=3, help="timings per search; the best is kept")
    parser.add_argument("--images", type=int, default=64, help="images for the Ray Data comparison")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray Data comparison")
    args = parser.parse_args()
    search_part(args.n, args.m, args.ef_construction, args.repeats)
    if not args.no_ray:
        ray_part(args.images)


if __name__ == "__main__":
    main()
