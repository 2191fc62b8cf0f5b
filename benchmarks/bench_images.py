"""Image-embedding throughput: the course helper vs the book's one-image-at-a-time loop.

Both paths use the same model (EfficientNet-Lite0 offline, or ResNet50 with
``--model resnet50`` when its weights are cached), the same preprocessing and
the same images; only the batching differs. Prints images/s for each and the
ratio, measured in this one run.

    python benchmarks/bench_images.py [--n 64] [--batch-size N] [--model efficientnet_lite0]

The helper batches images; the default batch is small on a CPU, where big
batches are slower per image (see ``ImageEncoder.default_batch_size``). The
last line shows a large batch for comparison.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from course_utils.photos import AUGMENTATIONS, augment, photo_names, sample_photo
from course_utils.models import load_image_encoder


def book_loop(encoder, images) -> np.ndarray:
    """The book's ``get_image_embedding`` applied to one PIL image at a time."""
    out = []
    for img in images:
        tensor = encoder.transform(img).unsqueeze(0)
        with torch.no_grad():
            out.append(encoder.embed_tensor(tensor).squeeze().numpy())
    return np.stack(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=64, help="number of images")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the encoder's default_batch_size")
    parser.add_argument("--model", default="efficientnet_lite0")
    args = parser.parse_args()

    encoder = load_image_encoder(args.model, device="cpu")
    base = [sample_photo(n) for n in photo_names()]
    kinds = list(AUGMENTATIONS)
    images = [augment(base[i % len(base)], kinds[i % len(kinds)], seed=i) for i in range(args.n)]
    encoder.embed(images[:2])  # warm-up: first call allocates and picks kernels

    t0 = time.perf_counter()
    reference = book_loop(encoder, images)
    t_book = time.perf_counter() - t0
    batch_size = args.batch_size or encoder.default_batch_size
    t0 = time.perf_counter()
    batched = encoder.embed(images, batch_size=batch_size)
    t_helper = time.perf_counter() - t0
    t0 = time.perf_counter()
    encoder.embed(images, batch_size=32)
    t_large = time.perf_counter() - t0

    agree = np.abs(reference - batched).max()
    print(f"model {encoder.spec.name}, {args.n} images, torch threads {torch.get_num_threads()}")
    print(f"  book loop (1 image/forward):  {args.n / t_book:7.1f} images/s  ({t_book:.2f} s)")
    print(f"  helper embed (batch {batch_size:3d}):    {args.n / t_helper:7.1f} images/s  ({t_helper:.2f} s)")
    print(f"  speed-up helper / book loop:  {t_book / t_helper:.2f}x   (max |difference| {agree:.1e})")
    print(f"  for comparison, batch  32:    {args.n / t_large:7.1f} images/s  "
          f"({t_book / t_large:.2f}x the book loop on {encoder.device.type})")


if __name__ == "__main__":
    main()
