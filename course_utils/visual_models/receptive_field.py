"""How much of the image one unit of a CNN can see: receptive-field arithmetic.

A unit after a stack of convolutions depends on a square of input pixels,
its *receptive field*. Two numbers per layer describe it:

- ``size``: the side of that square, in input pixels;
- ``jump``: how many input pixels apart two neighbouring units of the layer
  are (the product of the strides so far).

A layer with kernel ``k``, stride ``s`` and dilation ``d`` turns
``(size, jump)`` into ``(size + (k - 1)·d·jump, jump·s)``, starting from
``(1, 1)`` for the input pixels. :func:`receptive_fields` applies this
rule layer by layer, :func:`conv_layers_of` reads the convolutions out of a
PyTorch model, and :func:`gradient_receptive_field` measures the field of
any function, convolutions or attention, by asking which input pixels the
centre output's gradient touches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from course_utils.validation import check_scalar


@dataclass(frozen=True)
class ConvLayer:
    """One convolution (or pooling) as far as geometry is concerned: square kernel side, stride, dilation, a label."""

    kernel: int
    stride: int = 1
    dilation: int = 1
    name: str = ""

    def __post_init__(self):
        check_scalar(self.name, "name", str)
        for field_name in ("kernel", "stride", "dilation"):
            where = f"{field_name} of layer {self.name!r}" if self.name else field_name
            # frozen dataclass: store the checked plain int (np.int64(3) becomes 3)
            object.__setattr__(self, field_name, check_scalar(getattr(self, field_name), where, int, min_val=1))


@dataclass(frozen=True)
class ReceptiveField:
    """The receptive field after one layer: ``size`` (side in input pixels) and ``jump`` (the total stride)."""

    name: str
    size: int
    jump: int


def receptive_fields(layers: Iterable[ConvLayer | tuple[int, ...]]) -> list[ReceptiveField]:
    """Receptive-field size and jump after each layer of a stack of convolutions.

    Parameters
    ----------
    layers : iterable of ConvLayer or tuples
        In the order the input flows through them. A tuple is read as
        ``(kernel,)``, ``(kernel, stride)`` or ``(kernel, stride, dilation)``.

    Returns
    -------
    list of ReceptiveField
        One entry per layer.

    Examples
    --------
    >>> [rf.size for rf in receptive_fields([(3,), (3,)])]
    [3, 5]
    >>> receptive_fields([ConvLayer(7, 2, name="stem")])[0]
    ReceptiveField(name='stem', size=7, jump=2)
    """
    if not check_scalar(layers, "layers", (list, tuple)):
        raise ValueError("expected at least one layer in layers, got an empty list")
    size, jump = 1, 1
    out = []
    for i, layer in enumerate(layers):
        if not isinstance(layer, ConvLayer):
            layer = ConvLayer(*check_scalar(layer, f"layers[{i}]", (tuple, list)), name=f"conv{i + 1}")
        size = size + (layer.kernel - 1) * layer.dilation * jump
        jump = jump * layer.stride
        out.append(ReceptiveField(layer.name or f"conv{i + 1}", int(size), int(jump)))
    return out


def conv_layers_of(model: nn.Module) -> list[ConvLayer]:
    """The model's ``Conv2d``, ``MaxPool2d`` and ``AvgPool2d`` layers, in registration order.

    Registration order is the order the layers were assigned in
    ``__init__``; for plain feed-forward networks (and the course's
    EfficientNet-Lite0, where skip connections never widen the field) it is
    the order the input flows through them. Only square kernels are supported.

    Parameters
    ----------
    model : torch.nn.Module

    Returns
    -------
    list of ConvLayer
        Named after the modules (``"_blocks.3._depthwise_conv"`` ...).

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3))
    >>> [rf.size for rf in receptive_fields(conv_layers_of(net))]
    [3, 4, 8]
    """
    layers = []
    for name, module in check_scalar(model, "model", nn.Module).named_modules():
        if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            kernel, stride, dilation = (
                _square(getattr(module, attr, 1), name, attr) for attr in ("kernel_size", "stride", "dilation")
            )
            layers.append(ConvLayer(kernel, stride, dilation, name=name))
    if not layers:
        raise ValueError(f"found no Conv2d or pooling layers in {type(model).__name__}")
    return layers


def _square(value, name: str, attr: str) -> int:
    if isinstance(value, (tuple, list)):
        if len(set(value)) != 1:
            raise ValueError(f"layer {name!r} has a non-square {attr} {tuple(value)}; only square ones are supported")
        value = value[0]
    return int(value)


def gradient_receptive_field(fn: Callable[[torch.Tensor], torch.Tensor], image_size: int,
                             channels: int = 1) -> np.ndarray:
    """Measure which input pixels the centre unit of ``fn``'s output depends on.

    Feeds a random image (seeded, its own generator; random values keep
    ReLU-style layers from hiding a dependency) through ``fn``, back-propagates
    from the centre unit of the output map (summed over channels) and marks
    every input pixel whose gradient is not zero.

    Parameters
    ----------
    fn : callable
        Maps a ``(1, channels, S, S)`` tensor to a ``(1, C_out, h, w)`` map.
    image_size : int
        Side ``S`` of the square input.
    channels : int

    Returns
    -------
    numpy.ndarray of bool, shape (S, S)

    Examples
    --------
    >>> convs = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1), nn.Conv2d(1, 1, 3, padding=1))
    >>> int(gradient_receptive_field(convs, 15).sum())  # a 5 × 5 square
    25
    """
    fn = check_scalar(fn, "fn", Callable)
    size = check_scalar(image_size, "image_size", int, min_val=1)
    channels = check_scalar(channels, "channels", int, min_val=1)
    x = torch.rand(1, channels, size, size, generator=torch.Generator().manual_seed(0)).requires_grad_(True)
    out = fn(x)
    if out.ndim != 4:
        raise ValueError(f"fn must return a (1, C, h, w) map, got shape {tuple(out.shape)}")
    out[0, :, out.shape[2] // 2, out.shape[3] // 2].sum().backward()
    return (x.grad[0].abs().sum(dim=0) > 0).numpy()
