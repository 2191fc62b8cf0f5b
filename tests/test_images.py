"""Image input rules: every odd input is a correct RGB image or one clear error."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from course_utils.images import load_image, to_rgb_image


def test_rgb_pil_is_returned_unchanged():
    img = Image.new("RGB", (5, 4), (10, 20, 30))
    assert to_rgb_image(img) is img


def test_grayscale_is_copied_to_three_channels():
    out = np.asarray(to_rgb_image(Image.new("L", (3, 2), 77)))
    assert out.shape == (2, 3, 3)
    assert (out == 77).all()


def test_rgba_is_composited_on_white():
    arr = np.zeros((2, 2, 4), dtype=np.uint8)
    arr[0, 0] = (255, 0, 0, 255)      # opaque red stays red
    arr[1, 1] = (0, 0, 0, 0)          # fully transparent black shows the white background
    out = np.asarray(to_rgb_image(Image.fromarray(arr, "RGBA")))
    assert tuple(out[0, 0]) == (255, 0, 0)
    assert tuple(out[1, 1]) == (255, 255, 255)


def test_palette_image_keeps_its_colours():
    pal = Image.new("RGB", (4, 4), (0, 128, 255)).convert("P", palette=Image.Palette.ADAPTIVE)
    assert pal.mode == "P"
    out = np.asarray(to_rgb_image(pal))
    assert np.abs(out.astype(int) - [0, 128, 255]).max() <= 2


def test_16_bit_image_is_scaled_not_clipped():
    arr = np.array([[0, 32896, 65535]], dtype=np.uint16)
    img = Image.fromarray(arr)
    assert img.mode.startswith("I;16")
    out = np.asarray(to_rgb_image(img))[0, :, 0]
    assert out.tolist() == [0, 128, 255]


def test_uint16_array_is_scaled():
    out = np.asarray(to_rgb_image(np.full((2, 2, 3), 65535, dtype=np.uint16)))
    assert (out == 255).all()


def test_float_array_in_unit_range_is_scaled_by_255():
    out = np.asarray(to_rgb_image(np.full((2, 2, 3), 0.5, dtype=np.float32)))
    assert (out == 128).all()


def test_float_array_outside_unit_range_is_rejected():
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\].*divide by 255"):
        to_rgb_image(np.full((2, 2, 3), 200.0))


def test_int64_array_in_byte_range_is_accepted_and_out_of_range_rejected():
    ok = np.asarray(to_rgb_image(np.full((2, 2, 3), 200, dtype=np.int64)))
    assert (ok == 200).all()
    with pytest.raises(ValueError, match="values 0-255"):
        to_rgb_image(np.full((2, 2, 3), 300, dtype=np.int64))


def test_nan_array_is_rejected():
    arr = np.zeros((2, 2, 3), dtype=np.float32)
    arr[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        to_rgb_image(arr)


@pytest.mark.parametrize("shape", [(10,), (5, 5, 7), (2, 2, 2), (1, 2, 3, 3, 1)])
def test_non_image_array_shapes_are_rejected(shape):
    with pytest.raises(ValueError, match="expected an image array of shape"):
        to_rgb_image(np.zeros(shape, dtype=np.uint8))


def test_empty_array_is_rejected():
    with pytest.raises(ValueError, match="non-empty"):
        to_rgb_image(np.zeros((0, 5, 3), dtype=np.uint8))


def test_non_image_object_is_rejected():
    with pytest.raises(TypeError, match="expected a PIL image, a numpy array or a file path, got dict"):
        to_rgb_image({"not": "an image"})


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="image file not found"):
        load_image(tmp_path / "nope.jpg")


def test_empty_file_raises_clear_error(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_image(path)


def test_corrupt_file_raises_clear_error(tmp_path):
    good = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(good, format="PNG")
    path = tmp_path / "truncated.png"
    path.write_bytes(good.getvalue()[:60])
    with pytest.raises(ValueError, match="corrupt or not an image"):
        load_image(path)


def test_text_file_is_not_an_image(tmp_path):
    path = tmp_path / "notes.jpg"
    path.write_text("hello")
    with pytest.raises(ValueError, match="could not read"):
        load_image(path)


def test_file_round_trip(tmp_path):
    path = tmp_path / "blue.png"
    Image.new("RGB", (7, 3), (0, 0, 255)).save(path)
    img = to_rgb_image(path)
    assert img.size == (7, 3) and img.getpixel((0, 0)) == (0, 0, 255)
