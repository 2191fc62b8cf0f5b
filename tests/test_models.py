"""The model registry: offline EfficientNet-Lite0, the ResNet50 loading path, preprocessing."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import transforms
from torchvision.models import ResNet50_Weights, resnet50

from course_utils.errors import AssetUnavailableError
from course_utils.image import registry as models
from course_utils.image.encoder import ImageEncoder
from course_utils.image.photos import sample_photo
from course_utils.image.registry import get_spec, load_image_encoder, pick_device
from course_utils.similarity import cosine_similarity


@pytest.fixture(scope="module")
def lite0():
    return load_image_encoder("efficientnet_lite0", device="cpu")


def test_registry_lists_the_books_model_and_the_offline_model():
    names = [s.name for s in models.list_image_encoders()]
    assert names == ["resnet50", "efficientnet_lite0"]
    assert get_spec("resnet50").embedding_dim == 2048
    assert get_spec("efficientnet_lite0").offline


def test_unknown_model_name_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown image model 'vgg'.*efficientnet_lite0"):
        load_image_encoder("vgg")


def book_loop(encoder, images) -> np.ndarray:
    """The book's one-image-at-a-time loop, written out with torchvision, independently of the encoder's batching."""
    spec = encoder.spec
    preprocess = transforms.Compose([transforms.Resize(spec.resize_size), transforms.CenterCrop(spec.crop_size),
                                     transforms.ToTensor(), transforms.Normalize(mean=spec.mean, std=spec.std)])
    rgb = [(Image.fromarray(i) if isinstance(i, np.ndarray) else i).convert("RGB") for i in images]
    with torch.no_grad():
        return np.stack([encoder.model.embed(preprocess(img)[None])[0].numpy() for img in rgb])


def test_lite0_loads_offline_and_embeds_to_1280(lite0):
    images = [np.zeros((40, 30, 3), np.uint8), np.full((50, 60, 3), 255, np.uint8)]
    out = lite0.embed(images)
    assert out.shape == (2, 1280) and out.dtype == np.float32
    np.testing.assert_allclose(out, book_loop(lite0, images), rtol=1e-4, atol=1e-5)
    assert np.abs(out[0] - out[1]).max() > 0.1          # black and white are different pictures


@pytest.mark.parametrize("photo,expected", [
    ("cat", {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}),
    ("coffee", {"espresso", "cup", "coffee mug"}),
])
def test_lite0_recognises_real_photos(lite0, photo, expected):
    (label, prob), *_ = lite0.classify(sample_photo(photo), top=1)[0]
    assert label in expected, f"{photo} classified as {label}"


def test_preprocessing_matches_torchvision_resnet50_transforms():
    img = sample_photo("astronaut")
    reference = ResNet50_Weights.IMAGENET1K_V1.transforms()(img)
    ours = get_spec("resnet50").transform()(img)
    assert ours.shape == reference.shape == (3, 224, 224)
    torch.testing.assert_close(ours, reference, atol=1e-5, rtol=0)


def test_batch_equals_one_at_a_time(lite0):
    photos = [sample_photo(n) for n in ("cat", "coffee", "rocket")]
    batched = lite0.embed(photos, batch_size=3)
    single = np.stack([lite0.embed_one(p) for p in photos])
    np.testing.assert_allclose(batched, single, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(batched, book_loop(lite0, photos), rtol=1e-4, atol=1e-5)


def test_batch_size_does_not_change_results(lite0):
    photos = [sample_photo(n) for n in ("cat", "coffee", "rocket", "flower", "temple")]
    reference = book_loop(lite0, photos)
    for size in (2, 5):
        np.testing.assert_allclose(lite0.embed(photos, batch_size=size), reference, rtol=1e-4, atol=1e-5)


def test_embedding_is_deterministic(lite0):
    img = sample_photo("flower")
    first = lite0.embed_one(img)
    np.testing.assert_array_equal(first, lite0.embed_one(img))
    np.testing.assert_allclose(first, book_loop(lite0, [img])[0], rtol=1e-4, atol=1e-5)


def test_one_pixel_image_gives_a_finite_embedding(lite0):
    pixel = np.array([[[200, 30, 30]]], dtype=np.uint8)
    out = lite0.embed(pixel)
    assert out.shape == (1, 1280)
    np.testing.assert_allclose(out, book_loop(lite0, [pixel]), rtol=1e-4, atol=1e-5)
    assert np.abs(out).max() > 0.1


def test_grayscale_rgba_palette_and_16_bit_all_embed(lite0):
    base = sample_photo("coffee").resize((64, 48))
    variants = [base.convert("L"), base.convert("RGBA"), base.convert("P"),
                Image.fromarray((np.asarray(base.convert("L")).astype(np.uint16) * 257))]
    out = lite0.embed(variants)
    assert out.shape == (4, 1280) and np.isfinite(out).all()
    grey, colour = book_loop(lite0, [variants[0], base])
    np.testing.assert_allclose(out[0], grey, rtol=1e-4, atol=1e-5)
    for row, reference in zip(out, (grey, colour, colour, grey)):   # each variant still shows the same coffee
        assert cosine_similarity(row, reference) > 0.6


def test_empty_batch_gives_zero_rows(lite0):
    assert lite0.embed([]).shape == (0, 1280)


def test_batch_with_a_bad_item_names_the_problem(lite0):
    with pytest.raises(ValueError, match="expected an image array of shape|expected image as a"):
        lite0.embed([np.zeros((8, 8, 3), np.uint8), np.zeros(100)])


def test_zero_batch_size_is_rejected(lite0):
    with pytest.raises(ValueError, match="expected batch_size >= 1, got 0"):
        lite0.embed([np.zeros((8, 8, 3), np.uint8)], batch_size=0)


def test_resnet50_missing_offline_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    models.clear_cache()
    with pytest.raises(AssetUnavailableError, match=r"course prefetch.*efficientnet_lite0"):
        load_image_encoder("resnet50", device="cpu")
    assert not models.is_available("resnet50")


def test_resnet50_loads_a_planted_checkpoint_from_the_hub_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    torch.manual_seed(0)
    planted = resnet50(weights=None).state_dict()
    path = tmp_path / "hub" / "checkpoints" / "resnet50-0676ba61.pth"
    path.parent.mkdir(parents=True)
    torch.save(planted, path)
    models.clear_cache()
    try:
        assert models.is_available("resnet50")
        encoder = load_image_encoder("resnet50", device="cpu")
        loaded = encoder.model.state_dict()
        assert torch.equal(loaded["conv1.weight"], planted["conv1.weight"])
        assert torch.equal(loaded["fc.bias"], planted["fc.bias"])
        out = encoder.embed([np.zeros((32, 32, 3), np.uint8)])
        assert out.shape == (1, 2048)
        # the embedding is the pooled trunk, i.e. the input of the planted classifier
        x = encoder.preprocess([np.zeros((32, 32, 3), np.uint8)])
        with torch.no_grad():
            logits = encoder.model(x)
        expected = torch.from_numpy(out) @ planted["fc.weight"].T + planted["fc.bias"]
        torch.testing.assert_close(logits, expected, atol=1e-3, rtol=1e-4)
    finally:
        models.clear_cache()


def test_corrupt_resnet50_checkpoint_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    path = tmp_path / "hub" / "checkpoints" / "resnet50-0676ba61.pth"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a checkpoint")
    models.clear_cache()
    with pytest.raises(AssetUnavailableError, match="could not be loaded.*delete it"):
        load_image_encoder("resnet50", device="cpu")


def test_pick_device_cpu_and_bad_names():
    assert pick_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        pick_device("tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            pick_device("cuda")


def test_pick_device_reads_environment(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert pick_device().type == "cpu"


# ---------------------------------------------------------------- issue 10: bad input at the boundary


@pytest.mark.parametrize("call", ["preprocess", "classify"])
def test_empty_list_raises_a_clear_error_not_a_torch_one(lite0, call):
    with pytest.raises(ValueError, match="expected at least one image, got an empty list"):
        getattr(lite0, call)([])


def test_embed_tensor_refuses_nan_instead_of_returning_nan(lite0):
    x = lite0.preprocess(sample_photo("cat"))
    x[0, 1, 5, 7] = float("nan")
    with pytest.raises(ValueError, match="batch passed to embed_tensor contains NaN or infinite values"):
        lite0.embed_tensor(x)


def test_embed_tensor_refuses_8_bit_pixels_and_arrays(lite0):
    with pytest.raises(TypeError, match="expected a float batch.*preprocess"):
        lite0.embed_tensor(torch.zeros((1, 3, 32, 32), dtype=torch.uint8))
    with pytest.raises(TypeError, match="got ndarray; use embed"):
        lite0.embed_tensor(np.zeros((1, 3, 32, 32), np.float32))


def test_embed_refuses_a_preprocessed_tensor_and_points_to_embed_tensor(lite0):
    with pytest.raises(TypeError, match="got a torch.Tensor.*embed_tensor"):
        lite0.embed(torch.zeros((1, 3, 32, 32)))


@pytest.mark.parametrize("bad, error", [(2.5, TypeError), (True, TypeError), ("4", TypeError), (-1, ValueError)])
def test_batch_size_follows_the_one_integer_rule(lite0, bad, error):
    with pytest.raises(error, match="batch_size"):
        lite0.embed([np.zeros((8, 8, 3), np.uint8)], batch_size=bad)


def test_numpy_integer_batch_size_is_accepted(lite0):
    images = [np.full((8, 8, 3), v, np.uint8) for v in (0, 120, 250)]
    out = lite0.embed(images, batch_size=np.int64(2))
    np.testing.assert_allclose(out, book_loop(lite0, images), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (1001, ValueError), (1.0, TypeError)])
def test_classify_top_is_checked(lite0, bad, error):
    with pytest.raises(error, match="top"):
        lite0.classify(sample_photo("cat"), top=bad)


# ---------------------------------------------------------------- registry metadata


def test_every_spec_carries_its_own_imagenet_categories_and_metadata():
    for spec in models.list_image_encoders():
        assert len(spec.categories) == 1000
        assert spec.source and spec.licence and spec.embedding_dim > 0
        assert spec.transform()(sample_photo("cat")).shape == (3, spec.crop_size, spec.crop_size)
    # torchvision's own list for its ImageNet weights: index 0 is "tench", 999 "toilet tissue"
    assert list(get_spec("resnet50").categories) == ResNet50_Weights.IMAGENET1K_V1.meta["categories"]


def test_classify_names_classes_from_the_models_own_spec(lite0):
    renamed = dataclasses.replace(lite0.spec, categories=tuple(f"class {i}" for i in range(1000)))
    encoder = ImageEncoder(renamed, lite0.model, lite0.device)
    (label, _), *_ = encoder.classify(sample_photo("coffee"), top=1)[0]
    (reference, _), *_ = lite0.classify(sample_photo("coffee"), top=1)[0]
    assert reference == "espresso" and label == "class 967"  # espresso is ImageNet class 967


def test_lite0_output_order_is_the_standard_imagenet_order(lite0):
    # the checkpoint ships no label file: three photos land on their ImageNet indices
    x = lite0.preprocess([sample_photo(n) for n in ("coffee", "cameraman", "rocket")])
    with torch.no_grad():
        top1 = lite0.model(x).argmax(dim=1).tolist()
    assert top1 == [967, 872, 657]  # espresso, tripod, missile in torchvision's list
    assert [lite0.spec.categories[i] for i in top1] == ["espresso", "tripod", "missile"]


# ---------------------------------------------------------------- one copy per caller


def test_each_load_gets_its_own_model_so_train_mode_does_not_leak():
    first = load_image_encoder("efficientnet_lite0", device="cpu")
    second = load_image_encoder("efficientnet_lite0", device="cpu")
    assert first.model is not second.model
    first.model.train()
    assert not second.model.training
    assert not load_image_encoder("efficientnet_lite0", device="cpu").model.training


def test_editing_one_encoders_weights_leaves_later_loads_as_shipped(lite0):
    photo = sample_photo("rocket")
    expected = lite0.embed_one(photo)
    mine = load_image_encoder("efficientnet_lite0", device="cpu")
    with torch.no_grad():
        mine.model._conv_stem.weight.zero_()
    assert not np.allclose(mine.embed_one(photo), expected)
    np.testing.assert_array_equal(load_image_encoder("efficientnet_lite0", device="cpu").embed_one(photo), expected)


def test_clear_cache_forgets_loaded_weights_and_loading_still_works():
    load_image_encoder("efficientnet_lite0", device="cpu")
    assert models._WEIGHTS
    models.clear_cache()
    assert not models._WEIGHTS
    reloaded = load_image_encoder("efficientnet_lite0", device="cpu")
    assert reloaded.embed(np.zeros((8, 8, 3), np.uint8)).shape == (1, 1280)


# ---------------------------------------------------------------- the fast path gives the book's numbers


def test_preprocess_is_exactly_torchvisions_transform_stacked(lite0):
    photos = [sample_photo(n) for n in ("cat", "coins", "flower")]
    expected = torch.stack([lite0.spec.transform()(p) for p in photos])
    assert torch.equal(lite0.preprocess(photos), expected)


def test_channels_last_embedding_equals_the_books_one_image_loop(lite0):
    photos = [sample_photo(n) for n in ("cat", "coffee", "astronaut", "rocket", "temple")]
    with torch.no_grad():
        book = np.stack([lite0.model.embed(lite0.spec.transform()(p).unsqueeze(0))[0].numpy() for p in photos])
    assert lite0.memory_format == torch.channels_last
    np.testing.assert_allclose(lite0.embed(photos, batch_size=2), book, rtol=0, atol=1e-4)


@pytest.mark.parametrize("name", ["resnet50", "efficientnet_lite0"])
def test_preprocess_equals_torchvision_for_every_8_bit_value(name):
    spec = get_spec(name)
    encoder = ImageEncoder(spec, torch.nn.Identity(), torch.device("cpu"))  # preprocessing needs no weights
    # a 256 × 256 image is not resized (short side already 256); its centre 224 × 224 holds all 256 levels
    img = Image.fromarray(np.random.default_rng(0).integers(0, 256, (256, 256, 3), dtype=np.uint8))
    expected = spec.transform()(img)
    for channel in range(3):
        assert len(torch.unique(expected[channel])) == 256
    assert torch.equal(encoder.preprocess(img)[0], expected)
