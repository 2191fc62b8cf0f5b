"""The captioned data of chapter 5.6: every caption is true of its picture, sound or clip, and the held-out
combinations never reach the training split.

Pictures are checked by measuring them (where the coloured pixels are, which channel dominates, how many
there are), sounds by their loudness, length and pitch, never by re-reading the generator's own tables.
"""

import itertools
import re

import numpy as np
import pytest

from course_utils.joint import data as cd


def words(caption):
    return re.findall(r"[a-z]+", caption)


def shape_pixels(picture):
    """Mask of the drawn shape: the saturated pixels (backgrounds are grey)."""
    p = picture.astype(float)
    return p.max(axis=2) - p.min(axis=2) > 60


# ----------------------------------------------------------------------------- pictures

def test_there_is_one_scene_per_combination_of_attributes():
    scenes = cd.all_scenes()
    assert len(scenes) == len(set(scenes)) == 4 * 4 * 2 * 3 * 3


def test_held_out_pairs_never_reach_the_seen_split():
    seen, unseen = cd.split_by_combination(cd.all_scenes())
    held = {("green", "triangle"), ("red", "square"), ("blue", "star"), ("yellow", "circle")}
    assert set(cd.HELD_OUT_PAIRS) == held
    assert not any((s.colour, s.shape) in held for s in seen)
    assert all((s.colour, s.shape) in held for s in unseen)
    assert len(seen) + len(unseen) == len(cd.all_scenes())


def test_every_colour_and_every_shape_is_still_seen_in_training():
    seen, _ = cd.split_by_combination(cd.all_scenes())
    assert {s.colour for s in seen} == {"red", "green", "blue", "yellow"}
    assert {s.shape for s in seen} == {"circle", "square", "triangle", "star"}


@pytest.mark.parametrize("template", range(len(cd.SCENE_TEMPLATES)))
def test_every_caption_names_the_scenes_colour_and_shape_and_no_other(template):
    colours, shapes = {"red", "green", "blue", "yellow"}, {"circle", "square", "triangle", "star"}
    for scene in cd.all_scenes():
        w = set(words(cd.caption_scene(scene, template)))
        assert w & colours == {scene.colour}
        assert w & shapes == {scene.shape}


def test_the_full_caption_names_all_five_attributes():
    for scene in cd.all_scenes():
        w = words(cd.caption_scene(scene, 0))
        assert scene.size in w and scene.position in w and scene.background in w
        other_positions = {"left", "centre", "right"} - {scene.position}
        assert not other_positions & set(w)


def test_captions_paraphrase_rather_than_repeat():
    scene = cd.Scene("circle", "red", "small", "left", "plain")
    captions = [cd.caption_scene(scene, t) for t in range(len(cd.SCENE_TEMPLATES))]
    assert len(set(captions)) == len(captions) >= 5


@pytest.mark.parametrize("colour, channel", [("red", 0), ("green", 1), ("blue", 2)])
def test_the_drawn_shape_has_the_captioned_colour(colour, channel):
    picture = cd.render_scene(cd.Scene("square", colour, "large", "centre", "brick"), seed=3)
    mean = picture[shape_pixels(picture)].astype(float).mean(axis=0)
    assert np.argmax(mean) == channel


def test_yellow_is_red_and_green_without_blue():
    picture = cd.render_scene(cd.Scene("circle", "yellow", "large", "right", "grass"), seed=4)
    r, g, b = picture[shape_pixels(picture)].astype(float).mean(axis=0)
    assert min(r, g) > 2 * b


def test_the_shape_sits_where_the_caption_says():
    centres = {}
    for position in ["left", "centre", "right"]:
        xs = []
        for seed in range(5):
            picture = cd.render_scene(cd.Scene("star", "blue", "small", position, "plain"), seed=seed)
            xs.append(np.nonzero(shape_pixels(picture))[1].mean() / picture.shape[1])
        centres[position] = np.mean(xs)
    assert centres["left"] < 0.4 < centres["centre"] < 0.6 < centres["right"]


def test_large_shapes_cover_more_pixels_than_small_ones():
    for shape in ["circle", "square", "triangle", "star"]:
        area = {size: shape_pixels(cd.render_scene(cd.Scene(shape, "red", size, "centre", "plain"), seed=1)).sum()
                for size in ["small", "large"]}
        assert area["large"] > 2 * area["small"] > 0


def test_textured_backgrounds_vary_and_plain_ones_do_not():
    for background, textured in [("plain", False), ("brick", True), ("grass", True)]:
        picture = cd.render_scene(cd.Scene("circle", "red", "small", "left", background), seed=2)
        ground = picture[:, 40:].astype(float)            # the right part: no shape on the left
        assert (ground.std() > 5) == textured


def test_rendering_is_deterministic_and_the_seed_changes_the_jitter():
    scene = cd.Scene("triangle", "green", "large", "right", "grass")
    assert np.array_equal(cd.render_scene(scene, seed=5), cd.render_scene(scene, seed=5))
    assert not np.array_equal(cd.render_scene(scene, seed=5), cd.render_scene(scene, seed=6))
    batch = cd.render_scenes([scene, scene], size=32, seed=1)
    assert batch.shape == (2, 32, 32, 3) and batch.dtype == np.uint8
    assert not np.array_equal(batch[0], batch[1])


def test_bad_scene_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="colour"):
        cd.Scene("circle", "purple", "small", "left", "plain")
    with pytest.raises(TypeError, match="Scene"):
        cd.render_scene(("circle", "red"))
    with pytest.raises(ValueError, match="size"):
        cd.render_scene(cd.all_scenes()[0], size=8)
    with pytest.raises(ValueError, match="pairs"):
        cd.split_by_combination(cd.all_scenes(), [("triangle", "green")])
    with pytest.raises(ValueError, match="template"):
        cd.caption_scene(cd.all_scenes()[0], template=len(cd.SCENE_TEMPLATES))
    with pytest.raises(ValueError, match="empty"):
        cd.render_scenes([])


# ----------------------------------------------------------------------------- sounds

def test_held_out_sounds_are_the_high_trumpet_and_the_low_flute_only():
    held = [s for s in cd.all_sounds() if s.held_out]
    assert {(s.source, s.register) for s in held} == {("trumpet", "high"), ("flute", "low")}
    assert len(held) == 2 * 2 * 2        # × tempo × loudness
    assert not any(s.held_out for s in cd.all_sounds() if s.source.endswith("noise"))


@pytest.mark.parametrize("template", range(len(cd.SOUND_TEMPLATES)))
def test_every_sound_caption_names_its_source_and_only_true_attributes(template):
    attribute_words = {"low", "high", "slow", "fast", "quiet", "loud"}
    for sound in cd.all_sounds():
        caption = cd.caption_sound(sound, template)
        assert sound.source in caption
        named = set(words(caption)) & attribute_words
        assert named <= {sound.register, sound.tempo, sound.loudness}
        sources = [s for s in ["trumpet", "flute", "clarinet", "plucked string", "white", "pink", "brown"]
                   if s in caption]
        assert len(sources) == 1


def test_a_noise_has_no_register_or_tempo():
    with pytest.raises(ValueError, match="register"):
        cd.Sound("white noise", "high", None, "loud")
    with pytest.raises(ValueError, match="tempo"):
        cd.Sound("trumpet", "low", "medium", "loud")


def test_loud_sounds_are_louder_and_slow_ones_longer():
    quiet = cd.render_sound(cd.Sound("clarinet", "low", "slow", "quiet"), seed=1)
    loud = cd.render_sound(cd.Sound("clarinet", "low", "slow", "loud"), seed=1)
    fast = cd.render_sound(cd.Sound("clarinet", "low", "fast", "loud"), seed=1)
    assert np.abs(loud).max() > 5 * np.abs(quiet).max()
    assert len(loud) > 2 * len(fast)


def dominant_frequency(y, sr=22050):
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return np.fft.rfftfreq(len(y), 1 / sr)[np.argmax(spectrum)]


def test_high_register_sounds_higher_than_low():
    for seed in range(3):
        low = cd.render_sound(cd.Sound("flute", "low", "slow", "loud"), seed=seed)
        high = cd.render_sound(cd.Sound("flute", "high", "slow", "loud"), seed=seed)
        assert dominant_frequency(high) > 2 * dominant_frequency(low)


def test_sound_rendering_is_deterministic():
    sound = cd.Sound("plucked string", "high", "fast", "quiet")
    assert np.array_equal(cd.render_sound(sound, seed=4), cd.render_sound(sound, seed=4))
    assert not np.array_equal(cd.render_sound(sound, seed=4), cd.render_sound(sound, seed=5))


# ----------------------------------------------------------------------------- clips

def test_a_clip_moving_left_is_the_clip_moving_right_backwards():
    right = cd.direction_clip("red", "right", n_frames=6, seed=2)
    left = cd.direction_clip("red", "left", n_frames=6, seed=2)
    assert right.shape == (6, 64, 64, 3)
    assert np.array_equal(left, right[::-1])


@pytest.mark.parametrize("direction, axis, sign", [("right", 1, 1), ("left", 1, -1), ("down", 0, 1), ("up", 0, -1)])
def test_the_square_moves_the_way_the_caption_says(direction, axis, sign):
    clip = cd.direction_clip("blue", direction, n_frames=8, seed=1)
    start = np.nonzero(shape_pixels(clip[0]))[axis].mean()
    end = np.nonzero(shape_pixels(clip[-1]))[axis].mean()
    assert sign * (end - start) > 10
    assert direction in cd.caption_clip("blue", direction) and "blue" in cd.caption_clip("blue", direction)


def test_clip_inputs_are_checked():
    with pytest.raises(ValueError, match="colour"):
        cd.direction_clip("purple", "left")
    with pytest.raises(ValueError, match="direction"):
        cd.direction_clip("red", "sideways")


def test_all_clip_captions_differ_between_directions():
    for colour, template in itertools.product(cd.COLOURS, range(len(cd.CLIP_TEMPLATES))):
        captions = {cd.caption_clip(colour, d, template) for d in cd.DIRECTIONS}
        assert len(captions) == 4


@pytest.mark.parametrize("background", ["brick", "grass"])
def test_textured_scenes_render_at_256_pixels_and_more(background):
    # any size >= 256 used to crash: the texture patch was larger than the 512-pixel texture
    scene = cd.Scene("star", "blue", "large", "right", background)
    picture = cd.render_scene(scene, size=256)
    assert picture.shape == (256, 256, 3) and picture.std() > 0


def test_direction_clip_refuses_a_tiny_frame_and_caption_clip_unknown_words():
    with pytest.raises(ValueError, match="expected size >= 8, got 2"):
        cd.direction_clip("red", "left", size=2)
    with pytest.raises(ValueError, match="expected direction as one of"):
        cd.caption_clip("red", "sideways")
    with pytest.raises(TypeError, match="expected colour as a string, got None"):
        cd.caption_clip(None, "left")


def test_mean_pool_gives_a_clip_and_its_reverse_the_same_vector_bit_for_bit():
    e = np.random.default_rng(3).normal(size=(20, 8, 64)).astype(np.float32) * 1000
    pooled = cd.mean_pool(e)
    assert pooled.shape == (20, 64)
    assert np.array_equal(pooled, cd.mean_pool(e[:, ::-1]))
    np.testing.assert_allclose(pooled, e.mean(axis=1), rtol=1e-4, atol=1e-2)
    with pytest.raises(ValueError):
        cd.mean_pool(e[0])
