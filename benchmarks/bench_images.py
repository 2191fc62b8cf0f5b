"""Image-embedding throughput: the bare network, the course helper, and the book's one-image loop.

Measured in this one run, on the same images and the same model
(EfficientNet-Lite0 offline, or ResNet50 with ``--model resnet50`` when its
weights are cached):

1. **bare forward**: the network alone on already preprocessed tensors, for
   each memory layout (``contiguous``: NCHW; ``channels_last``: NHWC, model
   and input) and batch size. The best cell is the most this CPU can do.
2. **by hand**: what a reader would write with the same settings, from PIL
   images: ``spec.transform()`` per image, ``torch.stack``, the layout, the
   network, for each layout and batch size.
3. **helper**: ``encoder.embed(images)`` with its defaults, from PIL images,
   so resizing and normalising are included. Target: at least 90% of the
   best bare-forward rate. On a CPU whose cores the network already keeps
   busy, resizing cannot hide behind it, and the most the helper can reach
   is ``forward / (forward + preprocessing)``; the script prints that
   ceiling, and the helper's rate against the best by-hand rate.
4. **book loop**: the book's ``get_image_embedding``, one image per forward
   pass, for comparison, and to check the helper gives the same vectors.

    python benchmarks/bench_images.py [--n 32] [--repeats 10] [--batch-sizes 1,4,8,16,32]

Every cell is timed ``--repeats`` times, interleaved with the others, and
the best time kept, so a burst of load from another process hits every
cell alike and is mostly filtered out.
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Callable

import numpy as np
import torch

from course_utils.image.encoder import ImageEncoder
from course_utils.image.photos import AUGMENTATIONS, augment, photo_names, sample_photo
from course_utils.image.registry import load_image_encoder

LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def book_loop(encoder: ImageEncoder, images: list) -> np.ndarray:
    """The book's ``get_image_embedding`` applied to one PIL image at a time."""
    out = []
    for img in images:
        tensor = encoder.transform(img).unsqueeze(0)
        with torch.no_grad():
            out.append(encoder.embed_tensor(tensor).squeeze().numpy())
    return np.stack(out)


def bare_forward(model: torch.nn.Module, x: torch.Tensor, batch_size: int) -> np.ndarray:
    """The network alone: ``model.embed`` over ``x`` in slices of ``batch_size``."""
    with torch.no_grad():
        return torch.cat([model.embed(x[s:s + batch_size]) for s in range(0, len(x), batch_size)]).numpy()


def by_hand(encoder: ImageEncoder, model: torch.nn.Module, images: list, batch_size: int,
            layout: torch.memory_format) -> np.ndarray:
    """PIL images → ``spec.transform()`` each → stacked batches in ``layout`` → ``model.embed``."""
    out = []
    with torch.no_grad():
        for s in range(0, len(images), batch_size):
            x = torch.stack([encoder.transform(img) for img in images[s:s + batch_size]])
            out.append(model.embed(x.contiguous(memory_format=layout)))
    return torch.cat(out).numpy()


def best_seconds(jobs: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Run every job ``repeats`` times, interleaved, and keep each one's fastest time."""
    best = {name: float("inf") for name in jobs}
    for _ in range(repeats):
        for name, job in jobs.items():
            t0 = time.perf_counter()
            job()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=32, help="number of images")
    parser.add_argument("--repeats", type=int, default=10, help="timings per cell; the best is kept")
    parser.add_argument("--batch-sizes", default="1,4,8,16,32", help="bare-forward batch sizes, comma-separated")
    parser.add_argument("--model", default="efficientnet_lite0")
    args = parser.parse_args()
    sizes = [int(s) for s in args.batch_sizes.split(",")]

    encoder = load_image_encoder(args.model, device="cpu")
    if not hasattr(encoder.model, "embed"):
        raise SystemExit(f"the bare-forward table needs a model with .embed(); {args.model} has none")
    base = [sample_photo(n) for n in photo_names()]
    kinds = list(AUGMENTATIONS)
    images = [augment(base[i % len(base)], kinds[i % len(kinds)], seed=i) for i in range(args.n)]
    x = encoder.preprocess(images)
    models = {"contiguous": encoder.model,
              "channels_last": copy.deepcopy(encoder.model).to(memory_format=torch.channels_last)}
    inputs = {name: x.contiguous(memory_format=fmt) for name, fmt in LAYOUTS.items()}
    for name in LAYOUTS:  # warm-up: the first call allocates and picks kernels
        bare_forward(models[name], inputs[name], 4)
    encoder.embed(images[:8])

    jobs: dict[str, Callable[[], object]] = {}
    for name, fmt in LAYOUTS.items():
        for bs in sizes:
            jobs[f"bare/{name}/{bs}"] = lambda name=name, bs=bs: bare_forward(models[name], inputs[name], bs)
            jobs[f"hand/{name}/{bs}"] = (lambda name=name, fmt=fmt, bs=bs:
                                         by_hand(encoder, models[name], images, bs, fmt))
    jobs["helper"] = lambda: encoder.embed(images)
    jobs["preprocessing"] = lambda: encoder.preprocess(images)
    jobs["book"] = lambda: book_loop(encoder, images)
    seconds = best_seconds(jobs, args.repeats)
    reference = book_loop(encoder, images)

    rate = {name: args.n / s for name, s in seconds.items()}
    print(f"model {encoder.spec.name}, {args.n} images, torch threads {torch.get_num_threads()}, "
          f"best of {args.repeats} interleaved runs per cell")
    for kind, title in [("bare", "bare forward (preprocessed tensors in)"),
                        ("hand", "by hand (PIL images in: spec.transform() each, stack, forward)")]:
        print(f"{title}, images/s:")
        print("  batch size      " + "".join(f"{bs:>8d}" for bs in sizes))
        for name in LAYOUTS:
            print(f"  {name:15s} " + "".join(f"{rate[f'{kind}/{name}/{bs}']:8.1f}" for bs in sizes))
    best = max((k for k in rate if k.startswith("bare/")), key=rate.get)
    best_hand = max((k for k in rate if k.startswith("hand/")), key=rate.get)
    _, best_layout, best_bs = best.split("/")
    best_vectors = bare_forward(models[best_layout], inputs[best_layout], int(best_bs))
    helper_vectors = encoder.embed(images)
    print(f"best bare forward: {rate[best]:.1f} images/s ({best_layout}, batch {best_bs})")
    print(f"helper embed (PIL images in, batch {encoder.default_batch_size}, layout "
          f"{str(encoder.memory_format).removeprefix('torch.')}): {rate['helper']:.1f} images/s")
    print(f"helper / best bare forward: {rate['helper'] / rate[best]:.2f}  (target >= 0.90)")
    share = seconds["preprocessing"] / seconds[best]
    print(f"  preprocessing alone (resize, crop, normalise): {rate['preprocessing']:.1f} images/s, "
          f"{share:.0%} of the best forward's time; run one after the other, not overlapped, "
          f"the two would reach {1 / (1 + share):.2f}")
    print(f"helper / best by hand: {rate['helper'] / rate[best_hand]:.2f}  "
          f"(by hand at best: {rate[best_hand]:.1f} images/s, {best_hand.split('/', 1)[1].replace('/', ', batch ')})")
    print(f"book loop (1 image per forward): {rate['book']:.1f} images/s; "
          f"helper is {seconds['book'] / seconds['helper']:.2f}x faster")
    print(f"max |difference| helper vs book loop: {np.abs(helper_vectors - reference).max():.1e}; "
          f"helper vs best bare forward: {np.abs(helper_vectors - best_vectors).max():.1e}")


if __name__ == "__main__":
    main()
