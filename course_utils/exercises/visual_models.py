"""Checks for chapter 5.4 (how visual models learn)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from numpy.lib.stride_tricks import sliding_window_view

from course_utils.exercises.base import CheckResult, describe, number, run_answer
from course_utils.validation import check_choice, check_scalar
from course_utils.visual_models.vit import patchify

#: The deepest stack :func:`check_conv_depth` describes layer by layer; deeper answers are judged without listing sizes.
_MAX_LISTED_LAYERS = 64
#: Seconds one call of a learner's function may run before a check stops it.
ANSWER_SECONDS = 60


#: Edge kinds: (how brightness rises across the edge as (down, right) steps, the edge at right angles to it,
#: the lines along which the weights must add up to 0 for that other edge to give 0).
_EDGES = {
    "horizontal": ((1, 0), "vertical", "each column"),
    "vertical": ((0, 1), "horizontal", "each row"),
    "diagonal": ((1, 1), "antidiagonal", "each line running from top-left to bottom-right"),
    "antidiagonal": ((1, -1), "diagonal", "each line running from top-right to bottom-left"),
}
_RISES = {"horizontal": "dark above, bright below", "vertical": "dark on the left, bright on the right",
          "diagonal": "dark towards the top-left, bright towards the bottom-right",
          "antidiagonal": "dark towards the top-right, bright towards the bottom-left"}


def _step(size: int, down: int, right: int) -> np.ndarray:
    """A grey image, 0.2 on one side of a straight edge and 0.8 on the side (down, right) points to."""
    i, j = np.indices((size, size))
    return np.where(down * i + right * j >= (down + right) * (size // 2), 0.8, 0.2)


def _correlate(img: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    return (sliding_window_view(img, kernel.shape) * kernel).sum(axis=(-2, -1))


def check_edge_kernel(kernel, direction: str = "horizontal") -> CheckResult:
    """Check a 3 × 3 filter that fires on one kind of edge and not on the edge at right angles to it.

    The filter is slid over test images (as ``conv2d`` does, without
    flipping): a flat grey image, a straight edge of the wanted kind and the
    edge at right angles to it.

    Parameters
    ----------
    kernel : array_like, shape (3, 3)
    direction : {"horizontal", "vertical", "diagonal", "antidiagonal"}
        The edge to respond to positively: ``"horizontal"``, dark above and
        bright below; ``"vertical"``, dark left and bright right;
        ``"diagonal"``, dark towards the top-left and bright towards the
        bottom-right; ``"antidiagonal"``, dark top-right, bright bottom-left.

    Returns
    -------
    CheckResult
        Never a pass for weights that are not finite or whose responses overflow.
    """
    direction = check_choice(direction, "direction", tuple(_EDGES))
    try:
        k = np.asarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        return CheckResult(False, f"expected a 3 × 3 array of numbers, got {describe(kernel)}.")
    if k.shape != (3, 3) or not np.all(np.isfinite(k)):
        what = f"shape {k.shape}" if k.shape != (3, 3) else "NaN or infinite weights"
        return CheckResult(False, f"expected a 3 × 3 array of finite numbers, got {what}.")
    with np.errstate(over="ignore"):
        scale = float(np.abs(k).sum())
    if scale == 0.0:
        return CheckResult(False, "every weight is 0, so the filter gives 0 everywhere, edges included; put "
                                  "negative weights on the dark side of the edge and positive ones on the bright side.")
    (down, right), other_name, lines = _EDGES[direction]
    wanted, other = _step(16, down, right), _step(16, -right, down)
    with np.errstate(over="ignore", invalid="ignore"):
        on_wanted, on_other = _correlate(wanted, k), _correlate(other, k)
        on_reversed = _correlate(1.0 - wanted, k)              # the same edge, bright-to-dark
        on_flat = _correlate(np.full((16, 16), 0.5), k)
    if not np.isfinite(scale) or not all(np.all(np.isfinite(r)) for r in (on_wanted, on_other, on_reversed, on_flat)):
        return CheckResult(False, f"your weights are so large (largest |weight| {np.abs(k).max():.3g}) that the "
                                  "filter's outputs overflow to infinity or NaN; use weights of a sensible size, "
                                  "such as -2 to 2.")
    on = float(on_wanted.max(initial=0.0))
    low = float(on_wanted.min())
    off = float(np.abs(on_other).max())
    flat = float(on_flat[0, 0])
    # Responses print with three decimals, or three significant digits for weights far from Sobel's size.
    fmt = number if 1e-3 <= scale <= 1e6 else "{:.3g}".format
    tiny = 1e-9 * scale / 8  # "zero", relative to the size of the weights (Sobel's add up to 8)
    if abs(flat) > 1e-6 * scale:
        return CheckResult(False, f"on a flat grey image your filter gives {fmt(flat)} everywhere, because its "
                                  f"weights sum to {fmt(float(k.sum()))}: an edge detector must ignore flat "
                                  "areas, so make the weights sum to 0.")
    if on <= tiny and -low > tiny:
        return CheckResult(False, f"it fires negatively ({fmt(low)}) on the {direction} edge "
                                  f"({_RISES[direction]}): it is looking for bright-to-dark; flip its sign.")
    if on <= tiny:
        return CheckResult(False, f"it gives {fmt(on)} on the {direction} edge ({_RISES[direction]}) but "
                                  f"{fmt(off)} on the {other_name} one. Is it turned by 90°?")
    if off > 0.1 * on:
        return CheckResult(False, f"it responds {fmt(off)} to the {other_name} edge, against {fmt(on)} to the "
                                  f"{direction} one ({_RISES[direction]}): to ignore the {other_name} edge, the "
                                  f"weights along {lines} of the kernel should add up to 0.")
    if float(on_reversed.max()) > 0.5 * on:
        return CheckResult(False, f"it also fires {fmt(float(on_reversed.max()))} beside the reversed edge "
                                  f"(bright-to-dark), against {fmt(on)} on the {direction} one: it finds a line, not "
                                  "which way the brightness changes; put the negative weights on one side of the "
                                  "edge and the positive ones on the other.")
    return CheckResult(True, f"it gives {fmt(on)} on the {direction} edge, {fmt(off)} on the {other_name} one "
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
        got, failed = run_answer("patchify", ANSWER_SECONDS, fn, x.clone(), p)
        if failed is not None:
            return failed
        got = _as_tokens(got, shape, p, tuple(want.shape))
        if isinstance(got, CheckResult):
            return got
        if tuple(got.shape) != tuple(want.shape):
            return CheckResult(False, f"for images of shape {shape} and patch size {p} expected tokens of shape "
                                      f"{tuple(want.shape)} (N, patches, C·p·p), got {tuple(got.shape)}.")
        if torch.allclose(got, want):
            continue
        n, c, h, w = shape
        rows, cols = h // p, w // p
        channels_last = x.reshape(n, c, rows, p, cols, p).permute(0, 2, 4, 3, 5, 1).reshape(want.shape)
        column_major = x.reshape(n, c, rows, p, cols, p).permute(0, 4, 2, 1, 3, 5).reshape(want.shape)
        if torch.allclose(got, channels_last):
            detail = ("each token holds the right pixels, but in (p, p, C) order; flatten each patch channel by "
                      "channel, (C, p, p)")
        elif torch.allclose(got, column_major):
            detail = ("the tokens come column by column; they should go row by row: token 1 is the patch at row 0, "
                      "column 1")
        else:
            bad = int((got - want).abs().amax(dim=(0, 2)).argmax())
            detail = (f"token {bad} (patch row {bad // cols}, column {bad % cols}) does not hold that patch's pixels; "
                      "reshape to (N, C, H/p, p, W/p, p) and permute the patch-grid axes to the front")
        return CheckResult(False, f"shapes are right but the values are not, for images of shape {shape}: {detail}.")
    return CheckResult(True, "your patches match course_utils.visual_models.vit.patchify exactly for three image sizes, "
                             "one to three channels and patch sizes 3, 4 and 16.")


def _as_tokens(got: object, shape: tuple, p: int, want: tuple) -> torch.Tensor | CheckResult:
    """A patchify answer as a real, finite float tensor on the CPU, or the result that says what is wrong."""
    case = f"for images of shape {shape} and patch size {p}"
    if got is None:
        return CheckResult(False, f"your patchify returned None {case}; end it with `return tokens`, a tensor of "
                                  f"shape {want}.")
    try:
        tokens = torch.as_tensor(got).detach().cpu()
    except (TypeError, ValueError, RuntimeError):
        return CheckResult(False, f"your patchify returned {describe(got)} {case}; return the tokens as a "
                                  f"torch.Tensor of shape {want}.")
    if tokens.is_complex() or tokens.dtype == torch.bool:
        return CheckResult(False, f"your patchify returned a tensor of {tokens.dtype} {case}; return the pixel "
                                  "values themselves (a float tensor).")
    tokens = tokens.float()
    if tokens.numel() and not bool(torch.isfinite(tokens).all()):
        return CheckResult(False, f"your tokens hold NaN or infinite values {case}, but the images are finite: "
                                  "patchify should only move pixels, not compute with them.")
    return tokens


def _receptive_side(layers: int, kernel: int, stride: int) -> int:
    """Side of the square a unit sees after ``layers`` convolutions: 1 + (kernel − 1)·(1 + s + … + s^(layers−1))."""
    if stride == 1:
        return 1 + (kernel - 1) * layers
    return 1 + (kernel - 1) * (stride ** layers - 1) // (stride - 1)


def _layers_needed(target: int, kernel: int, stride: int) -> int | None:
    """The fewest layers whose receptive field reaches ``target``, in O(log target) steps; None if none does."""
    if target <= 1:
        return 1
    if kernel == 1:
        return None
    if stride == 1:
        return -(-(target - 1) // (kernel - 1))
    layers = 1
    while _receptive_side(layers, kernel, stride) < target:
        layers += 1
    return layers


def check_conv_depth(n_layers: int, target: int, kernel: int = 3, stride: int = 1) -> CheckResult:
    """Check the fewest stacked convolutions whose units see at least ``target`` × ``target`` pixels.

    Each layer adds ``(kernel − 1) × jump`` pixels, where the jump is the
    product of the strides before it. The fewest layers are computed in
    closed form, never by building the stack, so any number is answered at once.

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
    target = check_scalar(target, "target", int, min_val=1)
    kernel = check_scalar(kernel, "kernel", int, min_val=1)
    stride = check_scalar(stride, "stride", int, min_val=1)
    try:
        n = check_scalar(n_layers, "n_layers", int, min_val=1)
    except (TypeError, ValueError):
        return CheckResult(False, f"expected a number of layers (a positive whole number), got {n_layers!r}.")
    need = _layers_needed(target, kernel, stride)
    if need is None:
        return CheckResult(False, f"with a {kernel} × {kernel} kernel no stack sees more than 1 pixel, so none "
                                  f"reaches {target}; check target and kernel.")

    def side(layers: int) -> str:
        s = _receptive_side(layers, kernel, stride)
        return f"{s} × {s}"

    layers = f"stacked {kernel} × {kernel} convolution{'s' if n > 1 else ''} with stride {stride}"
    if n == need:
        before = f", {n - 1} see only {side(n - 1)}" if n > 1 else ""
        return CheckResult(True, f"{n} {layers} see {side(n)} pixels{before}.")
    if n < need:
        return CheckResult(False, f"{n} {layers} see only {side(n)} pixels, less than "
                                  f"{target}. Each layer adds (kernel − 1) × jump, where the jump is the product "
                                  "of the strides before it.")
    seen = side(n - 1) if stride == 1 or n - 1 <= _MAX_LISTED_LAYERS else f"far more than {target} × {target}"
    return CheckResult(False, f"{n} layers are enough, but {n - 1} already see {seen} "
                              f"pixels (≥ {target}): look for the fewest.")
