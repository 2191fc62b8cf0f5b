"""``course doctor`` and ``course prefetch``: what this machine has, and fetching the book's optional assets.

The lesson modules that own a downloadable asset describe it with ``asset_rows()``
(:mod:`course_utils.image.registry`, :mod:`course_utils.audio.trumpet`); this module gathers them.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Callable

import torch

from course_utils.assets import offline_mode, torch_hub_checkpoints_dir
from course_utils.audio import trumpet
from course_utils.errors import AssetUnavailableError
from course_utils.image import registry

#: Distributions whose versions ``course doctor`` prints.
REPORTED_DISTRIBUTIONS = ("course-utils", "torch", "torchvision", "numpy", "librosa", "av", "torchcrepe",
                          "scikit-learn", "scikit-image", "matplotlib", "nbval")


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


#: Environment variables that choose the CPU kernels torch, MKL, oneDNN and OpenBLAS run.
KERNEL_VARIABLES = (
    "ATEN_CPU_CAPABILITY", "MKL_ENABLE_INSTRUCTIONS", "ONEDNN_MAX_CPU_ISA", "FAISS_SIMD_LEVEL", "OPENBLAS_CORETYPE",
)


def kernel_set() -> str:
    """The CPU and the kernel set this process computes with, in one line (``make test`` prints it)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name") and ":" in line:
                    model = line.split(":", 1)[1].strip()
                elif line.startswith("flags") and ":" in line:
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    widest = next((isa for isa in ("avx512f", "avx2", "avx", "sse4_2") if isa in flags), "")
    chosen = ", ".join(f"{v}={os.environ[v]}" for v in KERNEL_VARIABLES if v in os.environ) or "no kernel variables set"
    return (f"{model}{f' ({widest.upper()})' if widest else ''}; torch runs its "
            f"{torch.backends.cpu.get_cpu_capability()} kernels; {chosen}")


def asset_rows() -> list:
    """Every downloadable or packaged asset the lessons describe, as :class:`~course_utils.assets.AssetStatus` rows."""
    return [*registry.asset_rows(), *trumpet.asset_rows()]


def doctor() -> int:
    """Print versions, device, caches and assets; return 1 if COURSE_DEVICE or COURSE_OFFLINE is unusable, else 0."""
    print(f"python        {platform.python_version()} ({sys.executable})")
    for dist in REPORTED_DISTRIBUTIONS:
        print(f"{dist:13s} {installed_version(dist) or 'not installed'}")
    print(f"{'kernels':13s} {kernel_set()}")
    cuda = torch.cuda.is_available()
    found = f"cuda available: {cuda}" + (f", {torch.cuda.get_device_name(0)}" if cuda else "")
    setting = os.environ.get("COURSE_DEVICE", "")
    try:  # a COURSE_DEVICE this machine lacks is what doctor exists to diagnose: reported, not raised
        device, device_ok = f"{registry.pick_device()} ({found})", True
    except ValueError as err:
        device, device_ok = f"MISCONFIGURED (COURSE_DEVICE={setting!r}): {err} ({found})", False
    print(f"device        {device}")
    try:
        offline, offline_ok = ("on" if offline_mode() else "off"), True
    except ValueError as err:
        offline, offline_ok = f"MISCONFIGURED: {err}", False
    print(f"offline mode  {offline} (COURSE_OFFLINE)")
    print(f"torch cache   {torch_hub_checkpoints_dir()}")
    print(f"librosa cache {os.environ.get('LIBROSA_DATA_DIR', '(librosa default)')}")
    print("\nassets:")
    for row in asset_rows():
        mark = "present" if row.present else "missing"
        print(f"  [{mark:7s}] {row.name:28s} {row.location}")
        print(f"            needed for {row.needed_for}")
    if not device_ok:
        print(f"\nCOURSE_DEVICE={setting!r} is not usable here: unset it, or set it to cpu or auto "
              "(the device line above says why).")
    return 0 if device_ok and offline_ok else 1


def prefetch_steps() -> list[tuple[str, Callable[[], object]]]:
    """(label, callable) for each of the book's optional assets."""
    return [
        ("ResNet50 ImageNet weights (98 MB)",
         lambda: registry.is_available("resnet50") or registry.load_image_encoder("resnet50", device="cpu")),
        ("librosa's trumpet example", trumpet.prefetch_trumpet),
    ]


def prefetch() -> int:
    """Download the book's optional assets; return 0, 1 when one failed or downloads are off, 2 when
    ``COURSE_OFFLINE`` holds an unknown value."""
    try:
        offline = offline_mode()
    except ValueError as err:
        print(f"course prefetch: {err}", file=sys.stderr)
        return 2
    if offline:
        print("COURSE_OFFLINE is set: unset it to download the book's assets", file=sys.stderr)
        return 1
    failures = 0
    for label, step in prefetch_steps():
        try:
            step()
            print(f"ok       {label}")
        except AssetUnavailableError as exc:
            failures += 1
            print(f"failed   {label}: {exc}")
    return 1 if failures else 0
