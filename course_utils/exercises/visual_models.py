"""Checks for chapter 5.4 (how visual models learn)."""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
import torch

from course_utils.receptive_field import receptive_fields
from course_utils.vit import patchify
from course_utils.exercises.base import CheckResult, raised


def _step(size: int, horizontal: bool) -> np.ndarray:
    img = np.full((size, size), 0.2, dtype=np.float64)
    if horizontal:
        img[size // 2:, :] = 0.8   # dark above, bright below
    else:
        img[:, size // 2:] = 0.8   # dark on the left, bright on the right
    return img


def _correlate(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return (sliding_window_view(img, kernel.shape) * kernel).sum(axis=(-2, -1))


def check_edge_kernel(kernel, direction: str = "horizontal") -> CheckResult:
    """Check a 3 × 3 filter that fires on one kind of edge and nothing else.

    The filter is slid over three test images (as ``conv2d`` does, without
    flipping): a flat grey image, an edge between a dark top and a bright
    bottom, and an edge between a dark left and a bright right side.

    Parameters
    ----------
    kernel : array_like, shape (3, 3)
    direction : {"horizontal", "vertical"}
        ``"horizontal"``: respond positively to dark-above-bright-below and
        not to the vertical edge; ``"vertical"``: dark-left-bright-right.

    Returns
    -------
    CheckResult
    """
    if direction not in ("horizontal", "vertical"):
        raise ValueError(f"direction must be 'horizontal' or 'vertical', got {direction!r}")
    k = np.asarray(kernel, dtype=np.float64)
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        return CheckResult(False, f"expected a 3 × 3 array of finite numbers, got shape {k.shape}.")
    wanted, other = _step(16, direction == "horizontal"), _step(16, direction != "horizontal")
    on = float(_correlate(wanted, k).max(initial=0.0))
    low = float(_correlate(wanted, k).min())
    off = float(np.abs(_correlate(other, k)).max())
    flat = float(_correlate(np.full((16, 16), 0.5), k)[0, 0])
    scale = max(np.abs(k).sum(), 1e-12)
    if abs(flat) > 1e-6 * scale:
        return CheckResult(False, f"on a flat grey image your filter gives {flat:.3f} everywhere, because its "
                                  f"weights sum to {k.sum():.3f}: an edge detector must ignore flat areas, so "
                                  "make the weights sum to 0.")
    other_name = "vertical" if direction == "horizontal" else "horizontal"
    if on <= 1e-9 and -low > 1e-9:
        return CheckResult(False, f"it fires negatively ({low:.3f}) on the {direction} edge: it is looking for "
                                  "bright-to-dark; flip its sign.")
    along = "rows (top to bottom)" if direction == "horizontal" else "columns (left to right)"
    if on <= 1e-9:
        return CheckResult(False, f"it gives {on:.3f} on the {direction} edge but {off:.3f} on the {other_name} "
                                  f"one: it should change along the {along}. Is it transposed?")
    if off > 0.1 * on:
        return CheckResult(False, f"it responds {off:.3f} to the {other_name} edge, against {on:.3f} to the "
                                  f"{direction} one: its weights should change along the {along} only, with "
                                  "equal rows across.")
    return CheckResult(True, f"it gives {on:.3f} on the {direction} edge, {off:.3f} on the {other_name} one "
                             "and 0 on flat areas.")


def check_patchify(fn: Callable) -> CheckResult:
    """Check a hand-written ViT ``patchify(images, patch_size)`` against the course's.

    Tokens must come row by row (left to right, then top to bottom), each
    holding its patch's pixels channel by channel, ``(C, p, p)`` flattened,
    in a tensor of shape ``(N, (H/p)·(W/p), C·p·p)``.

    Parameters
    ----------
    fn : callable
        ``fn(images, patch_size) -> torch.Tensor``.

    Returns
    -------
    CheckResult
    """
    gen = torch.Generator().manual_seed(0)
    cases = [((2, 3, 32, 48), 16), ((1, 1, 8, 12), 4), ((3, 3, 6, 6), 3)]
    for shape, p in cases:
        x = torch.rand(shape, generator=gen)
        want = patchify(x, p)
        try:
            got = fn(x.clone(), p)
        except Exception as err:  # a learner's function may raise anything
            return raised("patchify", err)
        got = torch.as_tensor(got)
        if tuple(got.shape) != tuple(want.shape):
            return CheckResult(False, f"for images of shape {shape} and patch size {p} expected tokens of shape "
                                      f"{tuple(want.shape)} (N, patches, C·p·p), got {tuple(got.shape)}.")
        if torch.allclose(got.float(), want):
            continue
        n, c, h, w = shape
        rows, cols = h // p, w // p
        channels_last = x.reshape(n, c, rows, p, cols, p).permute(0, 2, 4, 3, 5, 1).reshape(want.shape)
        column_major = x.reshape(n, c, rows, p, cols, p).permute(0, 4, 2, 1, 3, 5).reshape(want.shape)
        if torch.allclose(got.float(), channels_last):
            detail = ("each token holds the right pixels, but in (p, p, C) order; flatten each patch channel by "
                      "channel, (C, p, p)")
        elif torch.allclose(got.float(), column_major):
            detail = ("the tokens come column by column; they should go row by row: token 1 is the patch at row 0, "
                      "column 1")
        else:
            bad = int((got.float() - want).abs().amax(dim=(0, 2)).argmax())
            detail = (f"token {bad} (patch row {bad // cols}, column {bad % cols}) does not hold that patch's pixels; "
                      "reshape to (N, C, H/p, p, W/p, p) and permute the patch-grid axes to the front")
        return CheckResult(False, f"shapes are right but the values are not, for images of shape {shape}: {detail}.")
    return CheckResult(True, "your patches match course_utils.vit.patchify exactly for three image sizes, "
                             "one to three channels and patch sizes 3, 4 and 16.")


def check_conv_depth(n_layers: int, target: int, kernel: int = 3, stride: int = 1) -> CheckResult:
    """Check the fewest stacked convolutions whose units see at least ``target`` × ``target`` pixels.

    Parameters
    ----------
    n_layers : int
        Your answer.
    target : int
        The receptive field side to reach, in input pixels.
    kernel, stride : int
        Every layer of the stack has this kernel and stride.

    Returns
    -------
    CheckResult
    """
    if isinstance(n_layers, bool) or not isinstance(n_layers, (int, np.integer)) or n_layers < 1:
        return CheckResult(False, f"expected a number of layers (a positive whole number), got {n_layers!r}.")
    sizes = [rf.size for rf in receptive_fields([(kernel, stride)] * max(int(n_layers), 64))]
    need = next((i + 1 for i, s in enumerate(sizes) if s >= target), None)
    n = int(n_layers)
    if need is None:
        return CheckResult(False, f"even 64 layers see only {sizes[-1]} pixels; check target and kernel.")
    layers = f"stacked {kernel} × {kernel} convolution{'s' if n > 1 else ''} with stride {stride}"
    if n == need:
        before = f", {n - 1} see only {sizes[n - 2]} × {sizes[n - 2]}" if n > 1 else ""
        return CheckResult(True, f"{n} {layers} see {sizes[n - 1]} × {sizes[n - 1]} pixels{before}.")
    if n < need:
        return CheckResult(False, f"{n} {layers} see only {sizes[n - 1]} × {sizes[n - 1]} pixels, less than "
                                  f"{target}. Each layer adds (kernel − 1) × jump, where the jump is the product "
                                  "of the strides before it.")
    return CheckResult(False, f"{n} layers are enough, but {n - 1} already see {sizes[n - 2]} × {sizes[n - 2]} "
                              f"pixels (≥ {target}): look for the fewest.")
