"""Tests for course_utils.visual_models.feature_maps: feature maps via hooks, filter pictures, channel choice."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.image.registry import load_image_encoder
from course_utils.visual_models.feature_maps import feature_maps, filters_as_images, layer_names, strongest_channels


def _net() -> nn.Sequential:
    torch.manual_seed(0)  # this test's own network; the helper itself never seeds
    return nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 3, stride=2)).eval()


def test_feature_maps_equal_running_the_layers_by_hand():
    net = _net()
    x = torch.randn(2, 3, 12, 12, generator=torch.Generator().manual_seed(1))
    maps = feature_maps(net, x, ["2", "0"])
    assert list(maps) == ["2", "0"]  # in the order asked for
    with torch.no_grad():
        first = net[0](x)
        last = net[2](torch.relu(first))
    assert torch.allclose(maps["0"], first)
    assert torch.allclose(maps["2"], last)
    assert maps["2"].shape == (2, 2, 4, 4)  # (12 - 2) = 10 → (10 - 3) // 2 + 1 = 4


def test_hooks_are_removed_afterwards_even_when_the_forward_fails():
    net = _net()
    feature_maps(net, torch.zeros(1, 3, 8, 8), ["0"])
    assert all(not m._forward_hooks for m in net.modules())
    with pytest.raises(RuntimeError):
        feature_maps(net, torch.zeros(1, 5, 8, 8), ["0"])  # wrong channel count
    assert all(not m._forward_hooks for m in net.modules())


def test_unknown_layer_name_raises_clear_error_with_valid_names():
    with pytest.raises(ValueError, match=r"no layer named 'conv9'; valid names include '0', '1', '2'"):
        feature_maps(_net(), torch.zeros(1, 3, 8, 8), ["conv9"])


def test_asking_for_no_layer_raises_clear_error():
    with pytest.raises(ValueError, match="at least one layer"):
        feature_maps(_net(), torch.zeros(1, 3, 8, 8), [])


def test_layer_names_lists_submodules_in_order():
    assert layer_names(_net()) == ["0", "1", "2"]


def test_filters_become_pictures_with_zero_at_mid_grey():
    w = torch.zeros(2, 3, 3, 3)
    w[0, 0, 0, 0] = 2.0    # strongest positive red weight → 1.0
    w[0, 2, 1, 1] = -2.0   # strongest negative blue weight → 0.0
    w[0, 1, 2, 2] = 1.0    # half as strong → 0.75
    pics = filters_as_images(w)
    assert pics.shape == (2, 3, 3, 3)
    assert pics[0, 0, 0, 0] == pytest.approx(1.0)
    assert pics[0, 1, 1, 2] == pytest.approx(0.0)
    assert pics[0, 2, 2, 1] == pytest.approx(0.75)
    assert pics[0, 0, 1, 0] == pytest.approx(0.5)
    assert np.all(pics[1] == 0.5)  # an all-zero filter is flat grey, not a division by zero


def test_filters_that_do_not_read_rgb_are_refused():
    with pytest.raises(ValueError, match=r"expected weights shaped \(out_channels, 3, k, k\)"):
        filters_as_images(torch.zeros(8, 16, 3, 3))


def test_strongest_channels_puts_varied_channels_first_and_skips_flat_ones():
    fmap = torch.zeros(1, 4, 5, 5)
    fmap[0, 1] = 7.0                          # flat: shows nothing
    fmap[0, 2, 2, 2] = 1.0                    # a small spot
    fmap[0, 3] = torch.arange(25.0).reshape(5, 5)  # a strong gradient
    assert strongest_channels(fmap, k=2) == [3, 2]


def test_strongest_channels_validates_k():
    with pytest.raises(ValueError, match="between 1 and the 4 channels"):
        strongest_channels(torch.zeros(4, 3, 3), k=5)


def test_lite0_stem_feature_map_matches_the_stem_convolution():
    encoder = load_image_encoder("efficientnet_lite0", device="cpu")
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    maps = feature_maps(encoder.model, x, ["_conv_stem", "_blocks.4", "_conv_head"])
    with torch.no_grad():
        assert torch.allclose(maps["_conv_stem"], encoder.model._conv_stem(x))
    # stride 2 in the stem, 2 more stride-2 stages by block 4, 5 in all by the head: 64 / 2 / 4 = 8, 64 / 32 = 2
    assert maps["_conv_stem"].shape == (1, 32, 32, 32)
    assert maps["_blocks.4"].shape == (1, 40, 8, 8)
    assert maps["_conv_head"].shape == (1, 1280, 2, 2)


def test_strongest_channels_k_follows_the_one_integer_rule():
    fmap = torch.arange(4 * 9, dtype=torch.float32).reshape(4, 3, 3) ** 2
    assert strongest_channels(fmap, k=np.int64(2)) == strongest_channels(fmap, k=2)
    for bad in (2.0, True):
        with pytest.raises(TypeError, match="expected k as an integer"):
            strongest_channels(fmap, k=bad)


def test_a_single_layer_name_as_a_string_is_refused_with_a_hint():
    net = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(TypeError, match=r"expected layers as a list or a tuple, got '0' \(str\)"):
        feature_maps(net, torch.zeros(1, 3, 8, 8), "0")
