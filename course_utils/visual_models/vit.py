"""The first steps of a Vision Transformer, small enough to read in one sitting.

A ViT (Dosovitskiy et al., 2020) turns an image into a sentence of patches:

1. :func:`patchify` cuts the image into ``p × p`` squares and flattens each
   one into a vector of ``C·p·p`` numbers (a "token");
2. :class:`PatchEmbedding` maps every token to ``dim`` numbers with one
   linear layer and adds a position embedding (:func:`position_embedding_2d`),
   so the model knows where on the image each patch came from;
3. :class:`SelfAttention` lets every token look at every other token, near
   or far, in a single step, and returns the attention weights so they can be drawn.

Nothing here is trained. Every random initialisation takes a ``seed`` and uses
its own generator, so building these objects never touches torch's global RNG.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from course_utils.validation import check_array, check_scalar


def patchify(images: torch.Tensor, patch_size: int = 16) -> torch.Tensor:
    """Cut images into non-overlapping square patches, each flattened to a vector.

    Patches are ordered row by row (left to right, then top to bottom), and
    each vector holds its patch's pixels channel by channel: ``(C, p, p)`` flattened.

    Parameters
    ----------
    images : torch.Tensor, shape (N, C, H, W) or (C, H, W)
        ``H`` and ``W`` must be multiples of ``patch_size``.
    patch_size : int
        Side of a square patch in pixels (ViT-B/16 uses 16).

    Returns
    -------
    torch.Tensor, shape (N, (H/p)·(W/p), C·p·p)

    Examples
    --------
    >>> patchify(torch.zeros(3, 224, 224), 16).shape
    torch.Size([1, 196, 768])
    """
    images = check_array(images, "images", ndim=(3, 4), shape="(N, C, H, W) or (C, H, W)", tensor=True)
    if images.ndim == 3:
        images = images.unsqueeze(0)
    p = check_scalar(patch_size, "patch_size", int, min_val=1)
    n, c, h, w = images.shape
    if h % p or w % p:
        raise ValueError(f"image size {h}×{w} is not a multiple of patch_size {p}; "
                         f"crop or resize it to e.g. {h // p * p}×{w // p * p} first")
    grid = images.reshape(n, c, h // p, p, w // p, p)          # N, C, rows, p, cols, p
    grid = grid.permute(0, 2, 4, 1, 3, 5)                       # N, rows, cols, C, p, p
    return grid.reshape(n, (h // p) * (w // p), c * p * p)


def unpatchify(patches: torch.Tensor, patch_size: int, image_size: tuple[int, int]) -> torch.Tensor:
    """Put patches from :func:`patchify` back together into ``(N, C, H, W)`` images.

    Parameters
    ----------
    patches : torch.Tensor, shape (N, L, C·p·p)
    patch_size : int
    image_size : (int, int)
        ``(H, W)`` of the original images.

    Returns
    -------
    torch.Tensor, shape (N, C, H, W)

    Examples
    --------
    >>> x = torch.arange(2 * 3 * 32 * 48, dtype=torch.float32).reshape(2, 3, 32, 48)
    >>> bool(torch.equal(unpatchify(patchify(x, 16), 16, (32, 48)), x))
    True
    """
    patches = check_array(patches, "patches", ndim=3, shape="(N, L, C·p·p)", tensor=True)
    if not isinstance(image_size, (tuple, list)) or len(image_size) != 2:
        raise TypeError(f"expected image_size as a pair (H, W), got {image_size!r}")
    h = check_scalar(image_size[0], "image_size[0] (height)", int, min_val=1)
    w = check_scalar(image_size[1], "image_size[1] (width)", int, min_val=1)
    p = check_scalar(patch_size, "patch_size", int, min_val=1)
    if h % p or w % p:
        raise ValueError(f"image_size {h}×{w} is not a multiple of patch_size {p}")
    rows, cols = h // p, w // p
    n, length, dim = patches.shape
    if length != rows * cols or dim % (p * p):
        raise ValueError(f"got {length} patches of length {dim}; {h}×{w} images with patch_size {p} give "
                         f"{rows * cols} patches of length C·{p * p}")
    grid = patches.reshape(n, rows, cols, dim // (p * p), p, p).permute(0, 3, 1, 4, 2, 5)
    return grid.reshape(n, dim // (p * p), h, w)


def position_embedding_2d(rows: int, cols: int, dim: int) -> torch.Tensor:
    """Fixed sine-cosine position embeddings for a ``rows × cols`` grid of patches.

    Half of the ``dim`` numbers encode the row and half the column, each as
    sines and cosines of the position at geometrically spaced frequencies
    (the 2-D version of the Transformer's encoding, as in MAE). Nearby
    patches get similar vectors.

    Parameters
    ----------
    rows, cols : int
        Patch grid size.
    dim : int
        Embedding size; a multiple of 4.

    Returns
    -------
    torch.Tensor, shape (rows·cols, dim)
        Row-major order, like :func:`patchify`.

    Examples
    --------
    >>> position_embedding_2d(14, 14, 64).shape
    torch.Size([196, 64])
    """
    rows = check_scalar(rows, "rows", int, min_val=1)
    cols = check_scalar(cols, "cols", int, min_val=1)
    dim = check_scalar(dim, "dim", int)
    if dim < 4 or dim % 4:
        raise ValueError(f"dim must be a positive multiple of 4 (sine and cosine for rows and columns), got {dim}")
    quarter = dim // 4
    freqs = 1.0 / (10000.0 ** (torch.arange(quarter, dtype=torch.float32) / quarter))

    def encode(pos: torch.Tensor) -> torch.Tensor:
        angles = pos[:, None] * freqs[None, :]
        return torch.cat([angles.sin(), angles.cos()], dim=1)

    r = torch.arange(rows, dtype=torch.float32).repeat_interleave(cols)
    c = torch.arange(cols, dtype=torch.float32).repeat(rows)
    return torch.cat([encode(r), encode(c)], dim=1)


class PatchEmbedding(nn.Module):
    """Patches → tokens: one linear layer per patch, plus a position embedding.

    Parameters
    ----------
    image_size : int
        Side of the square input image; a multiple of ``patch_size``.
    patch_size, channels : int
    dim : int
        Size of each token; a multiple of 4.
    seed : int
        Seeds the linear layer's initial weights (its own generator).

    Examples
    --------
    >>> embed = PatchEmbedding(image_size=224, patch_size=16, dim=64, seed=0)
    >>> embed(torch.zeros(2, 3, 224, 224)).shape
    torch.Size([2, 196, 64])
    """

    def __init__(self, image_size: int = 224, patch_size: int = 16, channels: int = 3, dim: int = 64, seed: int = 0):
        super().__init__()
        image_size = check_scalar(image_size, "image_size", int, min_val=1)
        patch_size = check_scalar(patch_size, "patch_size", int, min_val=1)
        channels = check_scalar(channels, "channels", int, min_val=1)
        dim = check_scalar(dim, "dim", int, min_val=4)
        seed = check_scalar(seed, "seed", int, min_val=0)
        if image_size % patch_size:
            raise ValueError(f"image_size {image_size} is not a multiple of patch_size {patch_size}")
        self.patch_size = patch_size
        self.grid = image_size // patch_size
        self.proj = _seeded_linear(channels * patch_size * patch_size, dim, bias=True, seed=seed)
        self.register_buffer("position", position_embedding_2d(self.grid, self.grid, dim))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Images ``(N, C, H, W)`` → tokens ``(N, grid², dim)``."""
        tokens = self.proj(patchify(images, self.patch_size))
        if tokens.shape[1] != self.grid ** 2:
            side = self.grid * self.patch_size
            raise ValueError(f"expected {side}×{side} images ({self.grid ** 2} patches), "
                             f"got shape {tuple(images.shape)}")
        return tokens + self.position


class SelfAttention(nn.Module):
    """One head of self-attention that also returns its attention map.

    ``Q = XW_q``, ``K = XW_k``, ``V = XW_v``; every output token is a weighted
    average of all the value vectors, with weights ``softmax(Q Kᵀ / √d)`` over
    the keys. Any token can draw on any other in one step, whatever their
    distance on the image.

    Parameters
    ----------
    dim : int
        Token size (input and output).
    seed : int
        Seeds the three projections' initial weights (its own generator).

    Examples
    --------
    >>> attn = SelfAttention(dim=64, seed=0)
    >>> out, weights = attn(torch.zeros(2, 196, 64))
    >>> out.shape, weights.shape
    (torch.Size([2, 196, 64]), torch.Size([2, 196, 196]))
    """

    def __init__(self, dim: int = 64, seed: int = 0):
        super().__init__()
        dim = check_scalar(dim, "dim", int, min_val=1)
        seed = check_scalar(seed, "seed", int, min_val=0)
        self.query = _seeded_linear(dim, dim, bias=False, seed=seed)
        self.key = _seeded_linear(dim, dim, bias=False, seed=seed + 1)
        self.value = _seeded_linear(dim, dim, bias=False, seed=seed + 2)

    def forward(self, tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Tokens ``(N, L, dim)`` → (outputs ``(N, L, dim)``, weights ``(N, L, L)``, each row summing to 1)."""
        tokens = check_array(tokens, "tokens", tensor=True)
        dim = self.query.in_features
        if tokens.ndim != 3 or tokens.shape[-1] != dim:
            raise ValueError(f"expected tokens shaped (N, L, {dim}), got shape {tuple(tokens.shape)}")
        scores = self.query(tokens) @ self.key(tokens).transpose(-2, -1) / math.sqrt(dim)
        weights = scores.softmax(dim=-1)
        return weights @ self.value(tokens), weights


def _seeded_linear(in_features: int, out_features: int, bias: bool, seed: int) -> nn.Linear:
    """An ``nn.Linear`` with PyTorch's default initialisation from its own generator (torch's global RNG untouched)."""
    layer = nn.Linear(in_features, out_features, bias=bias, device="meta").to_empty(device="cpu")
    gen = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(in_features)
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=gen)
        if layer.bias is not None:
            layer.bias.uniform_(-bound, bound, generator=gen)
    return layer
