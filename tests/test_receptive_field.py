"""Tests for course_utils.visual_models.receptive_field: the arithmetic and its measurement."""

import numpy as np
import pytest
from torch import nn

from course_utils.visual_models.receptive_field import (
    ConvLayer,
    conv_layers_of,
    gradient_receptive_field,
    receptive_fields,
)


def test_three_stacked_3x3_convolutions_see_7x7_pixels():
    # by hand: 1 + 2 = 3, 3 + 2 = 5, 5 + 2 = 7
    assert [rf.size for rf in receptive_fields([(3,), (3,), (3,)])] == [3, 5, 7]
    assert [rf.jump for rf in receptive_fields([(3,), (3,), (3,)])] == [1, 1, 1]


def test_strides_multiply_the_jump_and_widen_later_layers():
    # by hand: 3×3/s2 → 3 (jump 2); 3×3/s2 → 3 + 2·2 = 7 (jump 4); 3×3/s1 → 7 + 2·4 = 15 (jump 4)
    fields = receptive_fields([(3, 2), (3, 2), (3, 1)])
    assert [(rf.size, rf.jump) for rf in fields] == [(3, 2), (7, 4), (15, 4)]


def test_resnet_stem_field_by_hand():
    # ResNet's 7×7/2 conv then 3×3/2 max-pool: 7, then 7 + 2·2 = 11, jump 4
    fields = receptive_fields([ConvLayer(7, 2, name="conv1"), ConvLayer(3, 2, name="maxpool")])
    assert [(rf.name, rf.size, rf.jump) for rf in fields] == [("conv1", 7, 2), ("maxpool", 11, 4)]


def test_dilation_spreads_the_kernel():
    # a 3×3 kernel with dilation 2 covers 5×5; a second one with dilation 4 adds 2·4 = 8 → 13
    assert [rf.size for rf in receptive_fields([(3, 1, 2), (3, 1, 4)])] == [5, 13]


def test_non_positive_kernel_raises_clear_error():
    with pytest.raises(ValueError, match="expected kernel of layer 'conv1' >= 1, got 0"):
        receptive_fields([(0,)])


def test_layer_sizes_follow_the_one_integer_rule():
    assert receptive_fields([(np.int64(3), np.int64(2))]) == receptive_fields([(3, 2)])
    assert ConvLayer(np.int64(3)).kernel == 3 and type(ConvLayer(np.int64(3)).kernel) is int
    for bad in (True, 3.0, 2.5):
        with pytest.raises(TypeError, match="expected kernel of layer 'conv1' as an integer"):
            receptive_fields([(bad,)])


def test_measurement_arguments_follow_the_one_integer_rule():
    conv = nn.Conv2d(1, 1, 3, padding=1)
    assert gradient_receptive_field(conv, np.int64(9), channels=np.int64(1)).shape == (9, 9)
    with pytest.raises(TypeError, match="expected image_size as an integer"):
        gradient_receptive_field(conv, 9.0)
    with pytest.raises(ValueError, match="expected channels >= 1"):
        gradient_receptive_field(conv, 9, channels=0)


def test_conv_layers_are_read_from_a_model_in_order_with_their_names():
    net = nn.Sequential(nn.Conv2d(3, 8, 5, stride=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, dilation=2))
    layers = conv_layers_of(net)
    assert layers == [ConvLayer(5, 2, 1, "0"), ConvLayer(2, 2, 1, "2"), ConvLayer(3, 1, 2, "3")]
    # by hand: 5 (jump 2); 5 + 1·2 = 7 (jump 4); 7 + 2·2·4 = 23
    assert [rf.size for rf in receptive_fields(layers)] == [5, 7, 23]


def test_non_square_kernels_are_refused():
    with pytest.raises(ValueError, match="non-square kernel_size"):
        conv_layers_of(nn.Sequential(nn.Conv2d(1, 1, (1, 3))))


def test_model_without_convolutions_raises_clear_error():
    with pytest.raises(ValueError, match="no Conv2d"):
        conv_layers_of(nn.Sequential(nn.Linear(3, 3)))


@pytest.mark.parametrize("depth, side", [(1, 3), (2, 5), (3, 7)])
def test_measured_field_of_stacked_convolutions_is_a_square_of_the_derived_side(depth, side):
    # the conv weights are random, but any non-zero weights give the same support
    convs = nn.Sequential(*[nn.Conv2d(1, 1, 3, padding=1) for _ in range(depth)])
    mask = gradient_receptive_field(convs, 21)
    rows, cols = np.nonzero(mask)
    assert mask.sum() == side * side
    assert rows.max() - rows.min() + 1 == side and cols.max() - cols.min() + 1 == side
    assert mask[10, 10]  # centred on the centre pixel


def test_measured_field_agrees_with_the_arithmetic_for_a_strided_stack():
    net = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.Conv2d(2, 2, 3, stride=2, padding=1),
                        nn.Conv2d(2, 1, 3, padding=1))
    expected = receptive_fields(conv_layers_of(net))[-1].size  # arithmetic vs measurement: two routes
    mask = gradient_receptive_field(net, 64)
    rows, _ = np.nonzero(mask)
    assert rows.max() - rows.min() + 1 == expected == 15


def test_a_global_operation_reaches_every_pixel():
    def global_mean(x):
        return x.mean(dim=(2, 3), keepdim=True)

    assert gradient_receptive_field(global_mean, 6).all()


def test_measurement_refuses_a_function_that_does_not_return_a_map():
    with pytest.raises(ValueError, match=r"\(1, C, h, w\) map"):
        gradient_receptive_field(lambda x: x.flatten(), 8)
