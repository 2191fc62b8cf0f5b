"""Looking inside a CNN: the feature maps of named layers and the learned filters.

:func:`feature_maps` runs a model once and keeps the outputs of the layers
you name (via PyTorch forward hooks, removed again before it returns);
:func:`filters_as_images` turns a convolution's weights into small RGB
pictures, and :func:`strongest_channels` picks the channels worth drawing.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from torch import nn

from course_utils.validation import check_array, check_scalar


def layer_names(model: nn.Module) -> list[str]:
    """Every named submodule of ``model``, in registration order (the names :func:`feature_maps` accepts)."""
    return [name for name, _ in check_scalar(model, "model", nn.Module).named_modules() if name]


@torch.no_grad()
def feature_maps(model: nn.Module, images: torch.Tensor, layers: Sequence[str]) -> dict[str, torch.Tensor]:
    """Run ``model`` on ``images`` and return the outputs of the named layers.

    Parameters
    ----------
    model : torch.nn.Module
        Run in whatever mode it is in (call ``.eval()`` first for inference).
    images : torch.Tensor, shape (N, C, H, W)
        Already preprocessed for the model.
    layers : sequence of str
        Names from :func:`layer_names`, e.g. ``"_blocks.0"`` or ``"_conv_head"``.

    Returns
    -------
    dict of str to torch.Tensor
        Layer name → its output, in the order of ``layers``. Hooks capture a
        module's own output: an activation applied in the parent's
        ``forward`` (like ``F.relu6``) is not included.

    Examples
    --------
    >>> net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 3))
    >>> maps = feature_maps(net, torch.zeros(1, 3, 8, 8), ["0", "2"])
    >>> {k: tuple(v.shape) for k, v in maps.items()}
    {'0': (1, 4, 6, 6), '2': (1, 2, 4, 4)}
    """
    model = check_scalar(model, "model", nn.Module)
    images = check_array(images, "images", ndim=4, shape="(N, C, H, W)", tensor=True)
    if not check_scalar(layers, "layers", (list, tuple)):  # a bare string would be read letter by letter
        raise ValueError("name at least one layer; see layer_names(model) for the choices")
    modules = dict(model.named_modules())
    missing = [name for name in layers if name not in modules or not name]
    if missing:
        examples = ", ".join(repr(n) for n in layer_names(model)[:5])
        raise ValueError(f"{type(model).__name__} has no layer named {missing[0]!r}; "
                         f"valid names include {examples} (see layer_names(model))")
    captured: dict[str, torch.Tensor] = {}

    def keep(name: str):
        def hook(module, inputs, output):
            captured[name] = output.detach()
        return hook

    handles = [modules[name].register_forward_hook(keep(name)) for name in layers]
    try:
        model(images)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in layers}


def filters_as_images(weight: torch.Tensor | np.ndarray) -> np.ndarray:
    """First-layer convolution weights as RGB pictures, one per filter.

    Each filter is scaled on its own by its largest absolute weight, with zero
    at mid-grey, so the colour shows which channel mix and which spatial
    pattern the filter responds to.

    Parameters
    ----------
    weight : tensor or array, shape (out_channels, 3, k, k)

    Returns
    -------
    numpy.ndarray, shape (out_channels, k, k, 3), float in [0, 1]

    Examples
    --------
    >>> filters_as_images(torch.randn(32, 3, 3, 3)).shape
    (32, 3, 3, 3)
    """
    w = weight.detach().cpu().numpy() if isinstance(weight, torch.Tensor) else weight
    w = check_array(w, "weight", ndim=4, shape="(out_channels, 3, k, k)")
    if w.shape[1] != 3:
        raise ValueError(f"expected weights shaped (out_channels, 3, k, k), got shape {w.shape}; "
                         "only a first layer that reads RGB can be drawn as colours")
    w = w.transpose(0, 2, 3, 1).astype(np.float64)
    scale = np.abs(w).max(axis=(1, 2, 3), keepdims=True)
    scale[scale == 0] = 1.0
    return (0.5 + 0.5 * w / scale).astype(np.float32)


def strongest_channels(fmap: torch.Tensor, k: int = 6) -> list[int]:
    """The ``k`` channels of a feature map with the largest spatial spread.

    Channels that vary across the image show *where* a pattern is; flat
    channels (all zero, or the same everywhere) show nothing, so the spread
    (standard deviation over positions, first image) is used to rank them.

    Parameters
    ----------
    fmap : torch.Tensor, shape (N, C, h, w) or (C, h, w)
    k : int
        1 to the number of channels.

    Returns
    -------
    list of int
        Channel indices, most varied first.
    """
    k = check_scalar(k, "k", int)
    fmap = check_array(fmap, "fmap", ndim=(3, 4), shape="(N, C, h, w) or (C, h, w)", tensor=True)
    if fmap.ndim == 4:
        fmap = fmap[0]
    if not 1 <= k <= fmap.shape[0]:
        raise ValueError(f"k must be between 1 and the {fmap.shape[0]} channels, got {k}")
    spread = fmap.flatten(1).std(dim=1)
    order = torch.argsort(spread, descending=True, stable=True)
    return [int(i) for i in order[:k]]
