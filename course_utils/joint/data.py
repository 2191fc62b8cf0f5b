"""Captioned data made by code, for the joint-embedding chapter (5.6).

Both halves of every pair (a picture and its caption, a sound and its description, a clip and its caption) come
from the same attributes, so every caption is true by construction. :func:`split_by_combination` and
:data:`HELD_OUT_SOUNDS` keep some combinations (green triangles, the high trumpet) out of training. Functions
that draw random jitter take a ``seed`` and build their own generator from it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
from PIL import Image, ImageDraw

from course_utils.audio import sounds
from course_utils.validation import check_array, check_choice, check_scalar
from course_utils.video.clips import moving_square

__all__ = [
    "SHAPES", "COLOURS", "SIZES", "POSITIONS", "BACKGROUNDS", "HELD_OUT_PAIRS", "SCENE_TEMPLATES",
    "Scene", "all_scenes", "split_by_combination", "render_scene", "render_scenes", "caption_scene",
    "INSTRUMENTS", "NOISES", "REGISTERS", "TEMPOS", "LOUDNESSES", "HELD_OUT_SOUNDS", "SOUND_TEMPLATES",
    "Sound", "all_sounds", "render_sound", "caption_sound", "mean_pool",
    "DIRECTIONS", "CLIP_TEMPLATES", "direction_clip", "caption_clip",
]

# ----------------------------------------------------------------------------- pictures

SHAPES = ("circle", "square", "triangle", "star")
COLOURS = {"red": (205, 40, 40), "green": (40, 160, 60), "blue": (45, 85, 215), "yellow": (230, 200, 40)}
SIZES = {"small": 0.11, "large": 0.2}                 # radius as a fraction of the picture's width
POSITIONS = {"left": 0.3, "centre": 0.5, "right": 0.7}  # centre x as a fraction of the width
BACKGROUNDS = ("plain", "brick", "grass")            # brick and grass: scikit-image's texture photos
#: Colour–shape pairs that never appear in training: each colour and each shape is held out once.
HELD_OUT_PAIRS = (("green", "triangle"), ("red", "square"), ("blue", "star"), ("yellow", "circle"))

_PLACE = {"left": "on the left", "centre": "in the centre", "right": "on the right"}
_SIDE = {"left": "left side", "centre": "centre", "right": "right side"}
_GROUND = {"plain": "plain grey", "brick": "brick", "grass": "grass"}
#: Paraphrases of a scene's caption; template 0 names all five attributes.
SCENE_TEMPLATES = ("a {size} {colour} {shape} {place}, on {ground}", "{colour} {shape}, {side}", "a {colour} {shape}",
                   "a {size} {shape} that is {colour}", "{size} {colour} {shape} over {ground}",
                   "there is a {colour} {shape} {place}")


@dataclass(frozen=True)
class Scene:
    """The attributes of one picture: what is drawn, where, and on what."""

    shape: str
    colour: str
    size: str
    position: str
    background: str

    def __post_init__(self):
        for name, allowed in (("shape", SHAPES), ("colour", COLOURS), ("size", SIZES),
                              ("position", POSITIONS), ("background", BACKGROUNDS)):
            check_choice(getattr(self, name), name, allowed)


def all_scenes() -> list[Scene]:
    """Every combination of the five attributes, in a fixed order (4 × 4 × 2 × 3 × 3 = 288).

    Examples
    --------
    >>> len(all_scenes())
    288
    """
    return [Scene(*combo) for combo in itertools.product(SHAPES, COLOURS, SIZES, POSITIONS, BACKGROUNDS)]


def split_by_combination(scenes: Sequence[Scene], held_out: Sequence[tuple[str, str]] = HELD_OUT_PAIRS,
                         ) -> tuple[list[Scene], list[Scene]]:
    """Split scenes into seen and unseen by their (colour, shape) pair.

    Parameters
    ----------
    scenes : sequence of Scene
    held_out : sequence of (colour, shape)
        Pairs that must never reach training.

    Returns
    -------
    seen, unseen : list of Scene
        ``unseen`` holds every scene whose (colour, shape) is in ``held_out``.

    Examples
    --------
    >>> seen, unseen = split_by_combination(all_scenes())
    >>> len(seen), len(unseen)
    (216, 72)
    """
    if not check_scalar(held_out, "held_out", (list, tuple)) or not check_scalar(scenes, "scenes", (list, tuple)):
        raise ValueError("expected at least one scene and one held-out pair, got an empty list")
    if not all(isinstance(s, Scene) for s in scenes):
        raise TypeError(f"expected scenes as a list of Scene, got {scenes!r:.60}")
    for pair in held_out:
        if not (isinstance(pair, tuple) and len(pair) == 2 and pair[0] in COLOURS and pair[1] in SHAPES):
            raise ValueError(f"expected held_out as (colour, shape) pairs such as ('green', 'triangle'), got {pair!r}")
    pairs = set(held_out)
    unseen = [s for s in scenes if (s.colour, s.shape) in pairs]
    seen = [s for s in scenes if (s.colour, s.shape) not in pairs]
    return seen, unseen


@lru_cache(maxsize=None)
def _texture(name: str) -> np.ndarray:
    import skimage.data

    return getattr(skimage.data, name)()


def _outline(shape: str, cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    if shape == "square":
        r *= 0.85                                     # same area as the circle, roughly
        return [(cx - r, cy - r), (cx + r, cy - r), (cx + r, cy + r), (cx - r, cy + r)]
    if shape == "triangle":
        return [(cx + r * np.sin(a), cy - r * np.cos(a)) for a in (0, 2 * np.pi / 3, 4 * np.pi / 3)]
    if shape == "star":
        angles = np.arange(10) * np.pi / 5
        radii = np.where(np.arange(10) % 2 == 0, r * 1.15, r * 0.5)
        return [(cx + q * np.sin(a), cy - q * np.cos(a)) for a, q in zip(angles, radii)]
    return []


def render_scene(scene: Scene, size: int = 64, seed: int = 0) -> np.ndarray:
    """Draw one scene as an RGB picture, with a little random jitter.

    The shape's position, size and colour, and the patch of texture behind it, vary with ``seed``, so two
    renderings of one scene are different pictures with the same caption.

    Parameters
    ----------
    scene : Scene
    size : int
        Width and height in pixels (at least 32).
    seed : int
        Seed of the jitter.

    Returns
    -------
    numpy.ndarray, shape (size, size, 3), uint8

    Examples
    --------
    >>> render_scene(Scene("star", "blue", "large", "right", "brick"), size=32).dtype
    dtype('uint8')
    """
    check_scalar(scene, "scene", Scene)
    size = check_scalar(size, "size", int, min_val=32)
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    big = 4 * size                                    # draw 4× larger, then shrink: smooth edges
    if scene.background == "plain":
        ground = np.full((big, big), rng.uniform(170, 215))
    else:
        texture = _texture(scene.background).astype(np.float64)
        side = min(big // 2, *texture.shape[:2])      # from size 256 up, the whole texture
        spare = min(texture.shape[:2]) - side
        y0, x0 = rng.integers(0, spare, size=2) if spare else (0, 0)
        patch = np.asarray(Image.fromarray(texture[y0:y0 + side, x0:x0 + side]).resize((big, big)))
        ground = 110 + 0.45 * (patch - patch.mean())  # mid-grey, enough contrast to look like a texture
    canvas = Image.fromarray(np.repeat(np.clip(ground, 0, 255)[..., None], 3, axis=2).astype(np.uint8))
    colour = tuple(int(np.clip(c + rng.integers(-20, 21), 0, 255)) for c in COLOURS[scene.colour])
    r = big * SIZES[scene.size] * rng.uniform(0.9, 1.1)
    cx = big * POSITIONS[scene.position] + rng.uniform(-0.03, 0.03) * big
    cy = big * 0.5 + rng.uniform(-0.12, 0.12) * big
    draw = ImageDraw.Draw(canvas)
    if scene.shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)
    else:
        draw.polygon(_outline(scene.shape, cx, cy, r), fill=colour)
    return np.asarray(canvas.resize((size, size), Image.Resampling.LANCZOS))


def render_scenes(scenes: Sequence[Scene], size: int = 64, seed: int = 0) -> np.ndarray:
    """Draw many scenes, picture ``i`` with seed ``seed * 100003 + i``.

    Parameters
    ----------
    scenes : sequence of Scene
    size : int
        Width and height in pixels.
    seed : int
        Base seed; every picture gets its own.

    Returns
    -------
    numpy.ndarray, shape (len(scenes), size, size, 3), uint8

    Examples
    --------
    >>> render_scenes(all_scenes()[:3], size=32, seed=1).shape
    (3, 32, 32, 3)
    """
    seed = check_scalar(seed, "seed", int, min_val=0)
    if len(check_scalar(scenes, "scenes", (list, tuple))) == 0:
        raise ValueError("expected at least one scene, got an empty sequence")
    return np.stack([render_scene(s, size, seed * 100003 + i) for i, s in enumerate(scenes)])


def caption_scene(scene: Scene, template: int = 0) -> str:
    """One caption of a scene: template ``template`` of :data:`SCENE_TEMPLATES`, filled in.

    Parameters
    ----------
    scene : Scene
    template : int
        Index into :data:`SCENE_TEMPLATES` (0 names all five attributes).

    Examples
    --------
    >>> caption_scene(Scene("triangle", "green", "large", "right", "grass"), template=1)
    'green triangle, right side'
    """
    check_scalar(scene, "scene", Scene)
    template = check_scalar(template, "template", int, min_val=0, max_val=len(SCENE_TEMPLATES) - 1)
    return SCENE_TEMPLATES[template].format(
        size=scene.size, colour=scene.colour, shape=scene.shape, place=_PLACE[scene.position],
        side=_SIDE[scene.position], ground=_GROUND[scene.background])


# ----------------------------------------------------------------------------- sounds

INSTRUMENTS = {"trumpet": sounds.brass_tone, "flute": sounds.flute_tone,
               "clarinet": sounds.clarinet_tone, "plucked string": sounds.plucked_string}
NOISES = ("white noise", "pink noise", "brown noise")
REGISTERS = {"low": -8, "high": 8}
TEMPOS = {"slow": 90.0, "fast": 200.0}       # beats per minute
LOUDNESSES = {"quiet": 0.08, "loud": 0.8}    # peak amplitude
#: Instrument–register pairs that never appear in training.
HELD_OUT_SOUNDS = (("trumpet", "high"), ("flute", "low"))
#: Paraphrases of an instrument's caption; template 0 names all four attributes.
SOUND_TEMPLATES = ("a {loudness} {tempo} {register} {source} phrase", "a {register} {source}", "{source}, {tempo}",
                   "a {tempo} {register} {source}", "{loudness} {source} melody")
_NOISE_TEMPLATES = ("{loudness} {source}", "{source}", "{source}", "{source}", "a {loudness} hiss of {source}")
_RHYTHM = (1.0, 1.0, 1.0, 1.0, 0.5, 0.5)   # six notes, five beats: a phrase's length depends on its tempo only
_SCALE = ("F4", "G4", "A4", "Bb4", "C5", "D5", "E5", "F5")


@dataclass(frozen=True)
class Sound:
    """The attributes of one sound. Noises have no register or tempo (``None``)."""

    source: str
    register: str | None
    tempo: str | None
    loudness: str

    def __post_init__(self):
        check_choice(self.source, "source", tuple(INSTRUMENTS) + NOISES)
        for name, allowed in (("register", REGISTERS), ("tempo", TEMPOS)):
            value = getattr(self, name)
            if self.source in INSTRUMENTS:
                check_choice(value, name, allowed)
            elif value is not None:
                raise ValueError(f"expected {name} as None for a noise, got {value!r}")
        check_choice(self.loudness, "loudness", LOUDNESSES)

    @property
    def held_out(self) -> bool:
        """Whether this instrument–register pair is one of :data:`HELD_OUT_SOUNDS`."""
        return (self.source, self.register) in HELD_OUT_SOUNDS


def all_sounds() -> list[Sound]:
    """Every instrument × register × tempo × loudness (32), then every noise × loudness (6).

    Examples
    --------
    >>> len(all_sounds())
    38
    """
    pitched = [Sound(*combo) for combo in itertools.product(INSTRUMENTS, REGISTERS, TEMPOS, LOUDNESSES)]
    return pitched + [Sound(n, None, None, loud) for n in NOISES for loud in LOUDNESSES]


def render_sound(sound: Sound, sr: int = sounds.DEFAULT_SR, seed: int = 0) -> np.ndarray:
    """Play one sound: a random six-note melody in F on the instrument, or a noise.

    Parameters
    ----------
    sound : Sound
    sr : int
        Sample rate in Hz.
    seed : int
        Seed of the melody (and of the breath, pluck or noise).

    Returns
    -------
    numpy.ndarray of float32, peak amplitude set by ``sound.loudness``

    Examples
    --------
    >>> y = render_sound(Sound("clarinet", "low", "fast", "quiet"), seed=1)
    >>> round(float(abs(y).max()), 2)
    0.08
    """
    check_scalar(sound, "sound", Sound)
    seed = check_scalar(seed, "seed", int, min_val=0)
    rng = np.random.default_rng(seed)
    if sound.source in NOISES:
        y = sounds.noise(2.0, sr=sr, color=sound.source.split()[0], seed=seed)
    else:
        notes = [(str(n), float(b)) for n, b in zip(rng.choice(_SCALE, 6), rng.permutation(_RHYTHM))]
        tone = INSTRUMENTS[sound.source]
        extra = {"seed": seed} if sound.source in ("flute", "plucked string") else {}
        y = sounds.phrase(tone, notes, tempo_bpm=TEMPOS[sound.tempo], sr=sr,
                          transpose=REGISTERS[sound.register], **extra)
    return (y * (LOUDNESSES[sound.loudness] / np.max(np.abs(y)))).astype(np.float32)


def caption_sound(sound: Sound, template: int = 0) -> str:
    """One caption of a sound (``"a loud slow high flute phrase"``, ``"white noise"``).

    Parameters
    ----------
    sound : Sound
    template : int
        Index into :data:`SOUND_TEMPLATES` (0 names all four attributes of an instrument).

    Examples
    --------
    >>> caption_sound(Sound("flute", "high", "slow", "quiet"), template=1)
    'a high flute'
    """
    check_scalar(sound, "sound", Sound)
    template = check_scalar(template, "template", int, min_val=0, max_val=len(SOUND_TEMPLATES) - 1)
    pattern = (SOUND_TEMPLATES if sound.source in INSTRUMENTS else _NOISE_TEMPLATES)[template]
    return pattern.format(source=sound.source, register=sound.register, tempo=sound.tempo,
                          loudness=sound.loudness)


# ----------------------------------------------------------------------------- clips

DIRECTIONS = ("left", "right", "up", "down")
#: Paraphrases of a clip's caption; template 0 names colour and direction.
CLIP_TEMPLATES = ("a {colour} square moving {direction}", "a square moving {direction}",
                  "{colour} square going {direction}")


def direction_clip(colour: str, direction: str, n_frames: int = 8, size: int = 64, seed: int = 0) -> np.ndarray:
    """A coloured square sliding in one direction (course_utils.video.clips.moving_square) on a jittered grey.

    The grey of the background and the side of the square vary with ``seed``; with the same seed,
    ``"left"`` is ``"right"`` played backwards.

    Parameters
    ----------
    colour : {"red", "green", "blue", "yellow"}
    direction : {"left", "right", "up", "down"}
    n_frames : int
        Frames in the clip (at least 2).
    size : int
        Width and height of a frame in pixels (at least 8).
    seed : int
        Seed of the background grey and the square's size.

    Returns
    -------
    numpy.ndarray, shape (n_frames, size, size, 3), uint8

    Examples
    --------
    >>> clip = direction_clip("red", "right", n_frames=4, seed=1)
    >>> clip.shape, bool((direction_clip("red", "left", n_frames=4, seed=1) == clip[::-1]).all())
    ((4, 64, 64, 3), True)
    """
    check_choice(colour, "colour", COLOURS)
    size = check_scalar(size, "size", int, min_val=8)
    rng = np.random.default_rng(check_scalar(seed, "seed", int, min_val=0))
    grey = int(rng.integers(150, 236))
    square = int(rng.integers(size // 5, size // 3))
    return moving_square(n_frames, direction, height=size, width=size, size=square,
                         colour=COLOURS[colour], background=(grey, grey, grey), margin=size // 10)


def caption_clip(colour: str, direction: str, template: int = 0) -> str:
    """One caption of a direction clip.

    Parameters
    ----------
    colour, direction : str
    template : int
        Index into :data:`CLIP_TEMPLATES` (0 names colour and direction).

    Examples
    --------
    >>> caption_clip("red", "left")
    'a red square moving left'
    """
    template = check_scalar(template, "template", int, min_val=0, max_val=len(CLIP_TEMPLATES) - 1)
    check_choice(colour, "colour", COLOURS)
    check_choice(direction, "direction", DIRECTIONS)
    return CLIP_TEMPLATES[template].format(colour=colour, direction=direction)


def mean_pool(frame_embeddings: np.ndarray) -> np.ndarray:
    """The mean of each clip's frame embeddings, ``(clips, frames, D) -> (clips, D)``.

    Each dimension is sorted over time before the mean: a floating-point sum depends on its order, and sorted
    values make a clip and its reverse get bit-for-bit the same vector, on every machine.

    Examples
    --------
    >>> e = np.random.default_rng(0).normal(size=(1, 8, 4))
    >>> bool(np.array_equal(mean_pool(e), mean_pool(e[:, ::-1])))
    True
    """
    e = check_array(frame_embeddings, "frame_embeddings", ndim=3, shape="(clips, frames, D)")
    return np.sort(e, axis=1).mean(axis=1)
