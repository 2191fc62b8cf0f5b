"""Small synthetic video clips for chapter 5.3, rendered with numpy (nothing random: every machine draws the same).

Each clip is a 4-D array ``(frames, height, width, 3)``, the shape of a decoded
video (Figure 5.4): :func:`book_clips` (the book's solid-colour clips),
:func:`moving_square`, :func:`moving_ball` and :func:`scene_change`. Reverse any
clip with ``clip[::-1]``, which is how chapter 5.3 shows that averaging frame
embeddings ignores time.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from course_utils.validation import check_array, check_choice, check_scalar

Colour = Sequence[int]


def book_clips() -> dict[str, np.ndarray]:
    """The book's three toy videos: five solid-colour 224 x 224 float32 frames per activity, built as the book does.

    Frame ``i = 0 .. 4`` is filled with running ``[0.2, 0.6 + 0.05 i, 0.2]``,
    cooking ``[0.8, 0.4 + 0.02 i, 0.1]`` or jogging ``[0.25, 0.55 + 0.05 i, 0.25]``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``{"running", "cooking", "jogging"}`` → array of shape ``(5, 224, 224, 3)``, float32 in [0, 1].

    Examples
    --------
    >>> clips = book_clips()
    >>> clips["running"].shape, clips["running"].dtype
    ((5, 224, 224, 3), dtype('float32'))
    """
    recipes = {
        "running": lambda i: [0.2, 0.6 + i * 0.05, 0.2],
        "cooking": lambda i: [0.8, 0.4 + i * 0.02, 0.1],
        "jogging": lambda i: [0.25, 0.55 + i * 0.05, 0.25],
    }
    return {
        name: np.stack([np.full((224, 224, 3), colour(i), dtype=np.float32) for i in range(5)])
        for name, colour in recipes.items()
    }


def _check_common(n_frames: object, height: object, width: object) -> tuple[int, int, int]:
    """``(n_frames, height, width)`` as ints: at least 2 frames (a clip needs motion), at least 8 pixels."""
    return (
        check_scalar(n_frames, "n_frames", int, min_val=2),
        check_scalar(height, "height", int, min_val=8),
        check_scalar(width, "width", int, min_val=8),
    )


def _colour(value: Colour, name: str) -> np.ndarray:
    arr = check_array(value, name, ndim=1, kinds="iu", shape="(R, G, B)")
    if arr.shape != (3,) or arr.min() < 0 or arr.max() > 255:
        raise ValueError(f"expected {name} as three integers 0-255 (R, G, B), got {value!r}")
    return arr.astype(np.uint8)


def moving_square(
    n_frames: int = 16,
    direction: str = "right",
    height: int = 96,
    width: int = 96,
    size: int = 28,
    colour: Colour = (220, 40, 40),
    background: Colour = (235, 235, 235),
    margin: int = 8,
) -> np.ndarray:
    """A square that slides across the frame at constant speed, from one edge to the other.

    Parameters
    ----------
    n_frames : int
        Number of frames (at least 2).
    direction : {"right", "left", "up", "down"}
        Where the square travels; ``"left"`` is exactly ``"right"`` reversed.
    height, width : int
        Frame size in pixels.
    size : int
        Side of the square in pixels.
    colour, background : three ints 0-255
        RGB colours of the square and of the background.
    margin : int
        Gap between the square and the border at either end of the path (keeps it inside a model's centre crop).

    Returns
    -------
    numpy.ndarray, shape (n_frames, height, width, 3), uint8

    Examples
    --------
    >>> clip = moving_square(4, "right", height=32, width=32, size=8, margin=0)
    >>> clip.shape
    (4, 32, 32, 3)
    >>> bool((moving_square(4, "left", height=32, width=32, size=8, margin=0) == clip[::-1]).all())
    True
    """
    n_frames, height, width = _check_common(n_frames, height, width)
    check_choice(direction, "direction", ("right", "left", "up", "down"))
    size = check_scalar(size, "size", int, min_val=1)
    margin = check_scalar(margin, "margin", int, min_val=0)
    if size + 2 * margin > min(height, width):
        raise ValueError(f"a {size}-pixel square with a {margin}-pixel margin does not fit a {height}x{width} frame; "
                         "make the square or margin smaller")
    fg, bg = _colour(colour, "colour"), _colour(background, "background")
    frames = np.empty((n_frames, height, width, 3), dtype=np.uint8)
    frames[:] = bg
    horizontal = direction in ("right", "left")
    travel = (width if horizontal else height) - size - 2 * margin
    for t in range(n_frames):
        step = t if direction in ("right", "down") else n_frames - 1 - t
        pos = margin + int(round(step * travel / (n_frames - 1)))
        if horizontal:
            top = (height - size) // 2
            frames[t, top:top + size, pos:pos + size] = fg
        else:
            left = (width - size) // 2
            frames[t, pos:pos + size, left:left + size] = fg
    return frames


def moving_ball(
    n_frames: int = 16,
    direction: str = "up",
    height: int = 96,
    width: int = 96,
    radius: int = 12,
    colour: Colour = (250, 200, 30),
) -> np.ndarray:
    """A disc that rises or falls in front of a sky-to-grass gradient (so its surroundings change as it moves).

    Parameters
    ----------
    n_frames : int
        Number of frames (at least 2).
    direction : {"up", "down"}
        ``"up"``: from the grass to the sky; ``"down"`` is ``"up"`` reversed.
    height, width : int
        Frame size in pixels.
    radius : int
        Radius of the disc in pixels.
    colour : three ints 0-255
        RGB colour of the disc.

    Returns
    -------
    numpy.ndarray, shape (n_frames, height, width, 3), uint8

    Examples
    --------
    >>> up = moving_ball(5, "up", height=48, width=48, radius=6)
    >>> bool((moving_ball(5, "down", height=48, width=48, radius=6) == up[::-1]).all())
    True
    """
    n_frames, height, width = _check_common(n_frames, height, width)
    check_choice(direction, "direction", ("up", "down"))
    radius = check_scalar(radius, "radius", int, min_val=1)
    if 4 * radius > height or 2 * radius > width:
        raise ValueError(f"a ball of radius {radius} does not fit a {height}x{width} frame; use a smaller radius")
    fg = _colour(colour, "colour")
    rows = np.linspace(0.0, 1.0, height)[:, None]
    sky, grass = np.array([110, 160, 235]), np.array([60, 150, 60])
    background = np.round(sky * (1 - rows) + grass * rows).astype(np.uint8)  # (height, 3)
    yy, xx = np.mgrid[0:height, 0:width]
    frames = np.empty((n_frames, height, width, 3), dtype=np.uint8)
    frames[:] = background[None, :, None, :]
    low, high = height - radius - 2, radius + 2  # centre rows at the bottom and at the top
    for t in range(n_frames):
        step = t if direction == "up" else n_frames - 1 - t
        cy = low + (high - low) * step / (n_frames - 1)
        disc = (yy - cy) ** 2 + (xx - (width - 1) / 2) ** 2 <= radius ** 2
        frames[t][disc] = fg
    return frames


def scene_change(first: np.ndarray, second: np.ndarray, n_frames: int = 16) -> np.ndarray:
    """Hold one picture for the first half of the clip, then cut to another: the simplest edited video.

    Parameters
    ----------
    first, second : numpy.ndarray, shape (H, W, 3), uint8
        The two shots (same size).
    n_frames : int
        Length of the clip (at least 2); the second shot starts at frame ``n_frames // 2``.

    Returns
    -------
    numpy.ndarray, shape (n_frames, H, W, 3), uint8

    Examples
    --------
    >>> a = np.zeros((8, 8, 3), np.uint8); b = np.full((8, 8, 3), 255, np.uint8)
    >>> scene_change(a, b, n_frames=4)[:, 0, 0, 0].tolist()
    [0, 0, 255, 255]
    """
    a, b = (check_array(shot, name, ndim=3, kinds="u", shape="(H, W, 3) uint8")
            for name, shot in (("first", first), ("second", second)))
    for name, shot in (("first", a), ("second", b)):
        if shot.shape[2] != 3 or shot.dtype != np.uint8:
            raise ValueError(f"expected {name} as an (H, W, 3) uint8 image, got shape {shot.shape}, dtype {shot.dtype}")
    if a.shape != b.shape:
        raise ValueError(f"both shots must have the same size, got {a.shape} and {b.shape}; resize one first")
    n_frames = check_scalar(n_frames, "n_frames", int, min_val=2)
    cut = n_frames // 2
    return np.stack([a] * cut + [b] * (n_frames - cut))
