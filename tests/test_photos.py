"""Offline sample data: the book's seeded patterns, real photos, near-duplicate edits."""

import numpy as np
import pytest

from course_utils.image.photos import (
    AUGMENTATIONS,
    augment,
    book_color_patterns,
    photo_names,
    sample_photo,
    sample_photos,
)


def test_patterns_are_the_books_pixels():
    # The book seeds NumPy's global generator and draws the three patterns in this order.
    state = np.random.get_state()
    try:
        np.random.seed(42)
        red = np.random.randint([180, 0, 0], [255, 80, 80], (224, 224, 3), dtype=np.uint8)
        blue = np.random.randint([0, 0, 180], [80, 80, 255], (224, 224, 3), dtype=np.uint8)
        orange = np.random.randint([200, 100, 0], [255, 150, 50], (224, 224, 3), dtype=np.uint8)
    finally:
        np.random.set_state(state)
    ours = book_color_patterns(seed=42)
    assert list(ours) == ["red_pattern", "blue_pattern", "orange_pattern"]
    for expected, img in zip((red, blue, orange), ours.values()):
        np.testing.assert_array_equal(np.asarray(img), expected)


def test_patterns_do_not_touch_global_random_state():
    np.random.seed(1)
    before = np.random.get_state()[1].copy()
    book_color_patterns(seed=42)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("name", photo_names())
def test_every_photo_loads_offline_as_rgb(name):
    img = sample_photo(name)
    assert img.mode == "RGB" and min(img.size) >= 100


def test_unknown_photo_lists_choices():
    with pytest.raises(ValueError, match="expected name as one of .*'cat'.*, got 'dog'"):
        sample_photo("dog")


@pytest.mark.parametrize("kind", list(AUGMENTATIONS))
def test_augmentations_change_pixels_and_are_seeded(kind):
    photo = sample_photo("coffee")
    a, b = augment(photo, kind, seed=3), augment(photo, kind, seed=3)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    if a.size == photo.size:
        assert not np.array_equal(np.asarray(a), np.asarray(photo))
    else:
        assert a.size[0] < photo.size[0] and a.size[1] < photo.size[1]


def test_flip_mirrors_left_and_right():
    photo = sample_photo("rocket")
    np.testing.assert_array_equal(np.asarray(augment(photo, "flip")), np.asarray(photo)[:, ::-1])


def test_unknown_augmentation():
    with pytest.raises(ValueError, match="expected kind as one of .*'flip'.*, got 'blur'"):
        augment(sample_photo("cat"), "blur")


def test_seeds_and_sizes_follow_the_one_integer_rule():
    same = book_color_patterns(seed=np.int64(42), size=np.int64(8))
    for a, b in zip(same.values(), book_color_patterns(seed=42, size=8).values()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    with pytest.raises(TypeError, match="expected seed as an integer"):
        book_color_patterns(seed=True)
    with pytest.raises(ValueError, match="expected size >= 1"):
        book_color_patterns(size=0)
    with pytest.raises(TypeError, match="expected seed as an integer, got 2.5"):
        augment(sample_photo("cat"), "crop", seed=2.5)
    crop = np.asarray(augment(sample_photo("cat"), "crop", seed=np.int64(3)))
    np.testing.assert_array_equal(crop, np.asarray(augment(sample_photo("cat"), "crop", seed=3)))


def test_photo_name_that_is_not_a_string_raises_type_error():
    with pytest.raises(TypeError, match="expected name as a string, got 3"):
        sample_photo(3)


def test_sample_photos_of_an_empty_list_is_no_photos_and_a_bare_string_is_refused():
    # an empty list asks for no photos (it used to return all ten); None keeps meaning "all"
    assert sample_photos([]) == {}
    assert list(sample_photos(["coins", "cat"])) == ["coins", "cat"]
    with pytest.raises(TypeError, match="expected names as a list or a tuple, got 'cat'"):
        sample_photos("cat")
