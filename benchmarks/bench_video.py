"""Benchmark: sampling 8 frames from a long clip by seeking vs by decoding every frame.

Writes a 60-second 25 fps clip (320 x 240, a keyframe every second, as
streaming encoders do) into a temporary folder, then times
``sample_frames(path, 8, method="seek")`` against ``method="decode"`` on the
same file, in one run, and prints the ratio. Both must return the same
frames; the script checks that too.

Run: ``.venv/bin/python benchmarks/bench_video.py``
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from course_utils.video import probe_video, sample_frames, write_video

SECONDS, FPS, HEIGHT, WIDTH, GOP = 60, 25, 240, 320, 25
NUM_FRAMES, REPEATS = 8, 3


def long_clip(n_frames: int) -> np.ndarray:
    """A bar sweeping across a gradient: cheap to draw, not trivial to compress."""
    x = np.linspace(0, 255, WIDTH, dtype=np.float32)
    base = np.broadcast_to(x[None, :, None], (HEIGHT, WIDTH, 3))
    frames = np.empty((n_frames, HEIGHT, WIDTH, 3), dtype=np.uint8)
    for t in range(n_frames):
        img = base.copy()
        col = (t * 3) % WIDTH
        img[:, col:col + 12] = (255, 60, 60)
        frames[t] = img
    return frames


def best_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.mp4"
        write_video(path, long_clip(SECONDS * FPS), fps=FPS, gop_size=GOP)
        info = probe_video(path)
        print(f"clip: {info.duration:.0f} s, {info.n_frames} frames, {info.width}x{info.height} {info.codec}, "
              f"keyframe every {GOP} frames")
        seek = sample_frames(path, NUM_FRAMES, method="seek")
        decode = sample_frames(path, NUM_FRAMES, method="decode")
        assert np.array_equal(seek, decode), "seek and decode returned different frames"
        t_seek = best_time(lambda: sample_frames(path, NUM_FRAMES, method="seek"), REPEATS)
        t_decode = best_time(lambda: sample_frames(path, NUM_FRAMES, method="decode"), REPEATS)
    print(f"sample {NUM_FRAMES} frames, seek:       {t_seek * 1000:8.1f} ms  (best of {REPEATS})")
    print(f"sample {NUM_FRAMES} frames, decode all: {t_decode * 1000:8.1f} ms  (best of {REPEATS})")
    print(f"seeking is {t_decode / t_seek:.1f}x faster (same frames)")


if __name__ == "__main__":
    main()
