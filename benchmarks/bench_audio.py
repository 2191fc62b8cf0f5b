"""Benchmark: MFCC embedding throughput, the course helper vs the book's per-clip loop.

Run with ``python benchmarks/bench_audio.py`` (or ``make bench``). Both sides
embed the same synthetic clips in the same run, after one warm-up call each
(librosa compiles and caches some code on first use); the script prints
clips per second for each and their ratio, and checks the two agree.
Timings depend on the machine; only the ratio is worth comparing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def make_clips(n_clips: int, seconds: float, sr: int) -> list[np.ndarray]:
    """``n_clips`` different synthetic clips of ``seconds`` each (instruments × pitches)."""
    from course_utils.audio import sounds

    makers = [
        lambda f, s: sounds.brass_tone(f, seconds, sr),
        lambda f, s: sounds.flute_tone(f, seconds, sr, seed=s),
        lambda f, s: sounds.clarinet_tone(f, seconds, sr),
        lambda f, s: sounds.plucked_string(f, seconds, sr, seed=s),
        lambda f, s: sounds.noise(seconds, sr, color="pink", seed=s),
    ]
    return [makers[i % len(makers)](220.0 * 2 ** ((i % 12) / 12), i) for i in range(n_clips)]


def book_style(clips: list[np.ndarray], sr: int) -> np.ndarray:
    """The book's way: one ``librosa.feature.mfcc`` call per clip, then mean and std."""
    import librosa

    out = []
    for y in clips:
        mfccs = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
        out.append(np.concatenate([mfccs.mean(axis=1), mfccs.std(axis=1)]))
    return np.stack(out)


def best_times(fns: list, repeats: int) -> list[float]:
    """Best wall time of each function, timing them in turn so a busy machine slows both alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for k, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[k] = min(best[k], time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> None:
    from course_utils.audio import mfcc_embeddings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=64, help="clips per batch (default 64)")
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each clip (default 2.0)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the best is kept (default 5)")
    args = parser.parse_args(argv)
    sr = 22050
    clips = make_clips(args.clips, args.seconds, sr)

    book_style(clips[:2], sr)                                    # warm-up both paths
    mfcc_embeddings(clips[:2], sr)
    t_book, t_helper = best_times([lambda: book_style(clips, sr), lambda: mfcc_embeddings(clips, sr)],
                                  args.repeats)
    diff = float(np.abs(book_style(clips, sr) - mfcc_embeddings(clips, sr)).max())

    print(f"MFCC embeddings of {args.clips} clips × {args.seconds:.1f} s at {sr} Hz (best of {args.repeats})")
    print(f"  book per-clip loop       : {args.clips / t_book:8.1f} clips/s")
    print(f"  mfcc_embeddings (batched): {args.clips / t_helper:8.1f} clips/s")
    print(f"  speed-up                 : {t_book / t_helper:8.2f}x")
    print(f"  largest difference       : {diff:.1e} (embedding values are up to a few hundred)")


if __name__ == "__main__":
    main()
