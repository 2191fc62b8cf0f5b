"""Tests for course_utils.visual_models.vit: patches, position embeddings and self-attention."""

import math

import numpy as np
import pytest
import torch

from course_utils.visual_models.vit import (
    PatchEmbedding,
    SelfAttention,
    patchify,
    position_embedding_2d,
    unpatchify,
)


def test_patchify_then_unpatchify_gives_the_image_back():
    x = torch.randn(2, 3, 48, 64, generator=torch.Generator().manual_seed(0))
    patches = patchify(x, 16)
    assert patches.shape == (2, 3 * 4, 3 * 16 * 16)
    assert torch.equal(unpatchify(patches, 16, (48, 64)), x)


def test_patches_are_ordered_row_by_row_and_hold_their_own_pixels():
    # a 1-channel 4×4 image with values 0..15, cut into 2×2 patches
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    patches = patchify(x, 2)[0]
    assert patches.tolist() == [
        [0, 1, 4, 5],       # top-left
        [2, 3, 6, 7],       # top-right
        [8, 9, 12, 13],     # bottom-left
        [10, 11, 14, 15],   # bottom-right
    ]


def test_patch_vectors_hold_channels_one_after_the_other():
    x = torch.zeros(2, 4, 4)
    x[1] = 1.0  # second channel all ones
    patch = patchify(x, 4)[0, 0]
    assert patch[:16].sum() == 0 and patch[16:].sum() == 16


def test_patchify_accepts_a_single_image_and_adds_a_batch_axis():
    image = torch.arange(3 * 8 * 12, dtype=torch.float32).reshape(3, 8, 12)   # every pixel a different value
    # row by row, left to right; each patch's pixels channel by channel, cut out by hand
    expected = torch.stack([image[:, r:r + 4, c:c + 4].reshape(-1) for r in (0, 4) for c in (0, 4, 8)])
    assert torch.equal(patchify(image, 4), expected[None])


def test_image_size_not_a_multiple_of_the_patch_size_raises_clear_error():
    with pytest.raises(ValueError, match="not a multiple of patch_size 16"):
        patchify(torch.zeros(1, 3, 225, 224), 16)


def test_numpy_input_raises_type_error_with_a_hint():
    with pytest.raises(TypeError, match="torch.Tensor"):
        patchify(np.zeros((3, 32, 32)), 16)


def test_unpatchify_with_a_wrong_patch_count_raises_clear_error():
    with pytest.raises(ValueError, match="give 4 patches of length C·16"):
        unpatchify(torch.zeros(1, 5, 48), 4, (8, 8))
    with pytest.raises(ValueError, match="got 4 patches of length 47"):
        unpatchify(torch.zeros(1, 4, 47), 4, (8, 8))


def test_position_embeddings_are_unique_and_closest_to_themselves():
    pos = position_embedding_2d(5, 7, 32)
    assert pos.shape == (35, 32)
    distances = torch.cdist(pos, pos)
    distances.fill_diagonal_(float("inf"))
    assert distances.min() > 1e-3  # no two positions share a vector


def test_position_embeddings_of_neighbours_are_more_alike_than_of_far_patches():
    pos = position_embedding_2d(14, 14, 64)
    centre, neighbour, far = 7 * 14 + 7, 7 * 14 + 8, 0
    dist = lambda a, b: torch.dist(pos[a], pos[b])  # noqa: E731
    assert dist(centre, neighbour) < dist(centre, far)


def test_position_embedding_dim_must_be_a_multiple_of_four():
    with pytest.raises(ValueError, match="multiple of 4"):
        position_embedding_2d(2, 2, 6)


def test_position_embedding_encodes_row_then_column_as_sines_and_cosines():
    pos = position_embedding_2d(2, 3, 4)  # one frequency (1.0): [sin r, cos r, sin c, cos c]
    r, c = 1, 2  # patch index 1 * 3 + 2 = 5
    expected = torch.tensor([math.sin(r), math.cos(r), math.sin(c), math.cos(c)])
    assert torch.allclose(pos[5], expected)


def test_patch_embedding_gives_one_token_per_patch_and_is_seeded():
    images = torch.randn(2, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    a = PatchEmbedding(image_size=32, patch_size=8, dim=12, seed=3)
    b = PatchEmbedding(image_size=32, patch_size=8, dim=12, seed=3)
    c = PatchEmbedding(image_size=32, patch_size=8, dim=12, seed=4)
    assert a(images).shape == (2, 16, 12)
    assert torch.equal(a(images), b(images))
    assert not torch.equal(a(images), c(images))


def test_patch_embedding_adds_the_position_to_the_linear_projection():
    embed = PatchEmbedding(image_size=16, patch_size=8, channels=1, dim=4, seed=0)
    zeros = torch.zeros(1, 1, 16, 16)
    # a black image: the projection gives only the bias, so tokens differ only by their positions
    tokens = embed(zeros)[0]
    assert torch.allclose(tokens - embed.proj.bias, position_embedding_2d(2, 2, 4))


def test_building_layers_does_not_touch_the_global_random_stream():
    state = torch.random.get_rng_state()
    PatchEmbedding(image_size=32, patch_size=8, dim=8, seed=0)
    SelfAttention(dim=8, seed=0)
    assert torch.equal(state, torch.random.get_rng_state())


def test_self_attention_output_is_the_weighted_average_of_values():
    layer = SelfAttention(dim=6, seed=5)
    tokens = torch.randn(2, 7, 6, generator=torch.Generator().manual_seed(2))
    out, weights = layer(tokens)
    assert out.shape == (2, 7, 6) and weights.shape == (2, 7, 7)
    assert torch.allclose(weights.sum(dim=-1), torch.ones(2, 7))
    scores = layer.query(tokens) @ layer.key(tokens).transpose(1, 2) / math.sqrt(6)  # softmax(Q Kᵀ / √d)
    assert torch.allclose(weights, scores.softmax(dim=-1))
    by_hand = torch.einsum("nij,njd->nid", weights, layer.value(tokens))
    assert torch.allclose(out, by_hand, atol=1e-6)


def test_self_attention_reaches_every_token_in_one_layer():
    layer = SelfAttention(dim=4, seed=0)
    tokens = torch.randn(1, 9, 4, generator=torch.Generator().manual_seed(0), requires_grad=True)
    out, _ = layer(tokens)
    out[0, 4].sum().backward()
    assert (tokens.grad[0].abs().sum(dim=1) > 0).all()


def test_self_attention_rejects_tokens_of_the_wrong_size():
    with pytest.raises(ValueError, match=r"expected tokens shaped \(N, L, 8\)"):
        SelfAttention(dim=8)(torch.zeros(1, 4, 5))


def test_numpy_integer_sizes_are_accepted_everywhere():
    x = torch.arange(3 * 32 * 32, dtype=torch.float32).reshape(1, 3, 32, 32)
    patches = patchify(x, np.int64(16))
    assert torch.equal(patches, patchify(x, 16))
    assert torch.equal(unpatchify(patches, np.int64(16), (np.int64(32), np.int64(32))), x)
    assert torch.equal(position_embedding_2d(np.int64(2), np.int64(2), np.int64(8)), position_embedding_2d(2, 2, 8))
    embed = PatchEmbedding(image_size=np.int64(32), patch_size=np.int64(16), dim=np.int64(8), seed=np.int64(0))
    assert embed(x).shape == (1, 4, 8)
    assert SelfAttention(dim=np.int64(8), seed=np.int64(1))(torch.zeros(1, 3, 8))[0].shape == (1, 3, 8)


@pytest.mark.parametrize("bad", [16.0, 2.5, True, "16"])
def test_patch_size_that_is_not_an_integer_raises_type_error(bad):
    with pytest.raises(TypeError, match="expected patch_size as an integer"):
        patchify(torch.zeros(1, 3, 32, 32), bad)


def test_non_positive_patch_size_raises_value_error():
    with pytest.raises(ValueError, match="expected patch_size >= 1, got 0"):
        patchify(torch.zeros(1, 3, 32, 32), 0)


def test_layer_sizes_and_seeds_follow_the_one_integer_rule():
    with pytest.raises(TypeError, match="expected dim as an integer"):
        SelfAttention(dim=8.0)
    with pytest.raises(TypeError, match="expected seed as an integer"):
        PatchEmbedding(image_size=32, patch_size=16, dim=8, seed=0.5)
    with pytest.raises(TypeError, match=r"expected image_size\[0\] \(height\) as an integer"):
        unpatchify(torch.zeros(1, 4, 768), 16, (32.0, 32))
