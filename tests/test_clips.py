"""Tests for course_utils.video.clips: the synthetic clips chapter 5.3 is built on."""

import numpy as np
import pytest

from course_utils.video.clips import book_clips, moving_ball, moving_square, scene_change


def test_book_clips_match_the_books_recipe():
    clips = book_clips()
    assert sorted(clips) == ["cooking", "jogging", "running"]
    for clip in clips.values():
        assert clip.shape == (5, 224, 224, 3) and clip.dtype == np.float32
        assert np.all(clip == clip[:, :1, :1, :])  # every frame is one solid colour
    # The book's colours, written out by hand (frame 0 and frame 4).
    np.testing.assert_allclose(clips["running"][0, 0, 0], [0.2, 0.6, 0.2], atol=1e-7)
    np.testing.assert_allclose(clips["running"][4, 0, 0], [0.2, 0.8, 0.2], atol=1e-7)
    np.testing.assert_allclose(clips["cooking"][4, 0, 0], [0.8, 0.48, 0.1], atol=1e-7)
    np.testing.assert_allclose(clips["jogging"][2, 0, 0], [0.25, 0.65, 0.25], atol=1e-7)


@pytest.mark.parametrize("forward, backward", [("right", "left"), ("down", "up")])
def test_moving_square_opposite_directions_are_the_same_frames_reversed(forward, backward):
    a = moving_square(9, forward)
    b = moving_square(9, backward)
    assert a.shape == (9, 96, 96, 3) and a.dtype == np.uint8
    np.testing.assert_array_equal(a, b[::-1])
    assert not np.array_equal(a, b)


def test_moving_square_moves_towards_its_direction():
    clip = moving_square(5, "right", colour=(255, 0, 0), background=(0, 0, 0))
    red_columns = [np.flatnonzero(frame[:, :, 0].max(axis=0)).mean() for frame in clip]
    assert np.all(np.diff(red_columns) > 0)


def test_moving_ball_rises_when_direction_is_up():
    clip = moving_ball(6, "up", colour=(255, 0, 255))
    rows = [np.argwhere((f == [255, 0, 255]).all(axis=2))[:, 0].mean() for f in clip]
    assert np.all(np.diff(rows) < 0)  # row numbers shrink: the ball goes up the picture
    np.testing.assert_array_equal(moving_ball(6, "down", colour=(255, 0, 255)), clip[::-1])


def test_scene_change_cuts_in_the_middle():
    a, b = np.zeros((8, 8, 3), np.uint8), np.full((8, 8, 3), 200, np.uint8)
    clip = scene_change(a, b, n_frames=6)
    assert clip[:, 0, 0, 0].tolist() == [0, 0, 0, 200, 200, 200]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: moving_square(1), "n_frames >= 2"),
        (lambda: moving_square(4, height=4), "height >= 8"),
        (lambda: moving_ball(4, radius=0), "radius >= 1"),
        (lambda: scene_change(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8), 1), "n_frames >= 2"),
        (lambda: moving_square(4, "sideways"), "direction"),
        (lambda: moving_square(4, size=200), "does not fit"),
        (lambda: moving_square(4, colour=(300, 0, 0)), "0-255"),
        (lambda: moving_ball(4, "left"), "expected direction as one of ('up', 'down'), got 'left'"),
        (lambda: scene_change(np.zeros((8, 8, 3), np.uint8), np.zeros((9, 8, 3), np.uint8)), "same size"),
        (lambda: scene_change(np.zeros((8, 8), np.uint8), np.zeros((8, 8), np.uint8)), "(H, W, 3)"),
    ],
)
def test_bad_clip_arguments_raise_clear_errors(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: moving_square(4.0), "n_frames"),
        (lambda: moving_square(True), "n_frames"),
        (lambda: moving_square(4, width=96.5), "width"),
        (lambda: moving_square(4, size=20.0), "size"),
        (lambda: moving_ball(4, radius=6.5), "radius"),
        (lambda: scene_change(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8), 4.0), "n_frames"),
    ],
)
def test_non_integer_counts_and_sizes_raise_type_error_naming_the_argument(call, name):
    # The course's one rule (course_utils.validation.check_scalar): floats and bools are not counts.
    with pytest.raises(TypeError, match=f"expected {name} as an integer"):
        call()


def test_numpy_integers_are_accepted_as_counts_and_sizes():
    clip = moving_square(np.int64(4), "right", height=np.int32(32), width=np.int64(32), size=np.int64(8), margin=0)
    np.testing.assert_array_equal(clip, moving_square(4, "right", height=32, width=32, size=8, margin=0))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: moving_square(4, colour=(0.5, 0.2, 0.1)), "expected colour as integers, got dtype float64"),
        (lambda: moving_square(4, background=None), "expected background as an array of integers, got None"),
        (lambda: moving_square(4, direction=None), "expected direction as a string, got None"),
        (lambda: moving_ball(4, direction=1), "expected direction as a string, got 1"),
        (lambda: scene_change(np.zeros((8, 8, 3), complex), np.zeros((8, 8, 3), np.uint8)), "first as real numbers"),
    ],
)
def test_wrong_kinds_of_value_raise_type_error_naming_the_argument(call, message):
    # a float colour used to raise ValueError: the wrong kind of value is a TypeError everywhere
    with pytest.raises(TypeError, match=message):
        call()
