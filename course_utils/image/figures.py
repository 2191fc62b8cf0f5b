"""Pictures of an image *as an array*: the book's Figures 5.1 and 5.2.

Each channel is drawn the way it adds light (:func:`channel_colormap`): 0 is
black and 255 the full channel colour, so a bright red channel looks bright red.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PIL import Image

from course_utils.image.io import ImageLike, to_rgb_image
from course_utils.validation import check_scalar

#: Channel letter → the colour of full intensity in that channel.
CHANNEL_COLOURS = {"R": "#ff0000", "G": "#00ff00", "B": "#0000ff"}


def channel_colormap(channel: str) -> LinearSegmentedColormap:
    """A black → full-colour map for one RGB channel, ``"R"``, ``"G"`` or ``"B"``.

    Examples
    --------
    >>> [float(v) for v in channel_colormap("R")(1.0)]
    [1.0, 0.0, 0.0, 1.0]
    >>> [float(v) for v in channel_colormap("R")(0.0)]
    [0.0, 0.0, 0.0, 1.0]
    """
    if channel not in CHANNEL_COLOURS:
        raise ValueError(f"expected channel 'R', 'G' or 'B', got {channel!r}")
    return LinearSegmentedColormap.from_list(f"black_to_{channel}", ["#000000", CHANNEL_COLOURS[channel]])


def _slab(ax, data: np.ndarray, cmap, x0: float, y0: float, zorder: int) -> None:
    """One channel drawn as a flat slab whose lower-left corner is (x0, y0), with its pixel grid."""
    h, w = data.shape
    ax.imshow(data, cmap=cmap, vmin=0, vmax=255, extent=(x0, x0 + w, y0, y0 + h), origin="upper",
              interpolation="nearest", zorder=zorder)
    for k in range(w + 1):
        ax.plot([x0 + k, x0 + k], [y0, y0 + h], color="white", lw=0.4, alpha=0.5, zorder=zorder)
    for k in range(h + 1):
        ax.plot([x0, x0 + w], [y0 + k, y0 + k], color="white", lw=0.4, alpha=0.5, zorder=zorder)
    ax.add_patch(Rectangle((x0, y0), w, h, fill=False, edgecolor="0.2", lw=1.2, zorder=zorder))


def image_array_diagram(image: ImageLike, height: int = 9, width: int = 12, pixel: tuple[int, int] = (3, 5)) -> Figure:
    """Figure 5.1: an image shrunk to a few pixels, drawn as three stacked channel slabs.

    The left panel shows the small colour image; the right panel the array the
    computer stores: a red, a green and a blue slab of ``height × width`` values.
    One pixel is outlined in both panels and its three values are written out.

    Parameters
    ----------
    image : image-like
        A PIL image, an array or a path (see :mod:`course_utils.image.io`).
    height, width : int
        Size the image is shrunk to so that single pixels are visible (2-40).
    pixel : tuple of int
        ``(row, column)`` of the pixel to outline and spell out.

    Returns
    -------
    matplotlib.figure.Figure
        8 inches wide.

    Examples
    --------
    >>> fig = image_array_diagram(np.zeros((30, 40, 3), dtype=np.uint8), height=6, width=8, pixel=(1, 2))
    >>> float(fig.get_size_inches()[0])
    8.0
    """
    height = check_scalar(height, "height", int, min_val=2, max_val=40)
    width = check_scalar(width, "width", int, min_val=2, max_val=40)
    if not (isinstance(pixel, (tuple, list)) and len(pixel) == 2):
        raise TypeError(f"expected pixel as a (row, column) pair, got {pixel!r}")
    row = check_scalar(pixel[0], "pixel row", int, min_val=0, max_val=height - 1)
    col = check_scalar(pixel[1], "pixel column", int, min_val=0, max_val=width - 1)
    small = np.asarray(to_rgb_image(image).resize((width, height), Image.Resampling.BOX))

    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.9), width_ratios=[1, 1.9], layout="constrained")
    left.imshow(small, interpolation="nearest", extent=(0, width, 0, height))
    left.add_patch(Rectangle((col, height - 1 - row), 1, 1, fill=False, edgecolor="white", lw=2.5))
    left.set_title(f"what you see: {height} × {width} pixels", fontsize=10)
    left.set_xticks([])
    left.set_yticks([])

    depth = 0.28 * min(height, width)  # how far each slab sits behind the one in front
    for k in (2, 1, 0):  # back (B) to front (R)
        x0 = y0 = k * depth
        letter = "RGB"[k]
        _slab(right, small[:, :, k], channel_colormap(letter), x0, y0, zorder=10 - 3 * k)
        right.add_patch(Rectangle((x0 + col, y0 + height - 1 - row), 1, 1, fill=False,
                                  edgecolor="white", lw=2, zorder=11 - 3 * k))
        right.text(x0 + 0.3, y0 + height - 0.5, f"{letter} channel", fontsize=10, fontweight="bold",
                   va="center", ha="left", color="white", zorder=12)
    for x, y in [(0, height), (width, height), (width, 0)]:  # the slabs' receding edges
        right.plot([x, x + 2 * depth], [y, y + 2 * depth], color="0.4", lw=0.8, ls="--", zorder=0)
    arrow = dict(arrowstyle="<->", color="black", lw=1.2)
    right.annotate("", xy=(-0.8, 0), xytext=(-0.8, height), arrowprops=arrow)
    right.text(-1.3, height / 2, f"height = {height}", rotation=90, ha="right", va="center", fontsize=10)
    right.annotate("", xy=(0, -0.8), xytext=(width, -0.8), arrowprops=arrow)
    right.text(width / 2, -1.3, f"width = {width}", ha="center", va="top", fontsize=10)
    right.annotate("", xy=(width + 0.5, -0.3), xytext=(width + 0.5 + 2 * depth, 2 * depth - 0.3), arrowprops=arrow)
    right.text(width + 0.9 + depth, depth - 0.6, "channels = 3", ha="left", va="top", fontsize=10)
    right.set_xlim(-2.6, width + 2 * depth + 4.2)
    right.set_ylim(-2.8, height + 2 * depth + 0.5)
    right.set_aspect("equal")
    right.axis("off")
    right.set_title(f"what the computer stores: an array of shape ({height}, {width}, 3)", fontsize=10)
    fig.suptitle("Figure 5.1: an image is a height × width × 3 array", fontweight="bold")
    fig.supxlabel(f"outlined pixel: row {row}, column {col} holds three numbers from 0 to 255 "
                  f"(R, G, B) = ({small[row, col, 0]}, {small[row, col, 1]}, {small[row, col, 2]})", fontsize=9)
    return fig


def rgb_channels(images: dict, title: str = "An RGB image is three 2-D channels stacked together") -> Figure:
    """Figure 5.2: each image beside its Red, Green and Blue channels, 8 inches wide (the book's column).

    All channel panels share the 0-255 scale, shown by one labelled colourbar per channel.

    Parameters
    ----------
    images : dict of str to PIL.Image or (H, W, 3) uint8 array
        Row label → image.
    title : str

    Returns
    -------
    matplotlib.figure.Figure
    """
    if not images:
        raise ValueError("rgb_channels needs at least one image, got an empty dict")
    arrays = {}
    for name, image in images.items():
        arr = np.asarray(image)
        if arr.ndim != 3 or arr.shape[2] != 3:
            raise ValueError(f"image {name!r} must be (H, W, 3) RGB, got shape {arr.shape}")
        arrays[name] = arr
    aspect = max(a.shape[0] / a.shape[1] for a in arrays.values())
    width = 8.0
    panel = (width - 0.6) / 4
    rows = len(arrays)
    # One extra thin row holds the three colourbars, so every column keeps the same width.
    fig, axes = plt.subplots(rows + 1, 4, figsize=(width, rows * (panel * aspect + 0.4) + 1.2), squeeze=False,
                             height_ratios=[panel * aspect] * rows + [0.1], layout="constrained")
    axes[rows, 0].axis("off")
    shown = {}
    for row, (name, arr) in enumerate(arrays.items()):
        axes[row, 0].imshow(arr)
        axes[row, 0].set_ylabel(name, fontsize=10, fontweight="bold")
        for c, letter in enumerate("RGB"):
            ax = axes[row, c + 1]
            shown[letter] = ax.imshow(arr[:, :, c], cmap=channel_colormap(letter), vmin=0, vmax=255)
            ax.set_xlabel(f"mean {arr[:, :, c].mean():.0f}", fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    for col, heading in enumerate(["colour image", "= R channel", "+ G channel", "+ B channel"]):
        axes[0, col].set_title(heading, fontsize=10)
    for c, letter in enumerate("RGB"):
        fig.colorbar(shown[letter], cax=axes[rows, c + 1], orientation="horizontal", ticks=[0, 128, 255],
                     label=f"{letter} value (0 = black)")
    fig.suptitle(title, fontweight="bold")
    return fig
