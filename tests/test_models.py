"""The model registry: offline EfficientNet-Lite0, the ResNet50 loading path, preprocessing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from course_utils import models
from course_utils.assets import AssetUnavailableError
from course_utils.photos import sample_photo
from course_utils.models import get_spec, load_image_encoder, pick_device


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


def test_lite0_loads_offline_and_embeds_to_1280(lite0):
    out = lite0.embed([np.zeros((40, 30, 3), np.uint8), np.full((50, 60, 3), 255, np.uint8)])
    assert out.shape == (2, 1280) and out.dtype == np.float32
    assert np.isfinite(out).all()


@pytest.mark.parametrize("photo,expected", [
    ("cat", {"tabby", "tiger cat", "Egyptian cat", "Persian cat", "Siamese cat"}),
    ("coffee", {"espresso", "cup", "coffee mug"}),
])
def test_lite0_recognises_real_photos(lite0, photo, expected):
    (label, prob), *_ = lite0.classify(sample_photo(photo), top=1)[0]
    assert label in expected, f"{photo} classified as {label}"


def test_preprocessing_matches_torchvision_resnet50_transforms():
    from torchvision.models import ResNet50_Weights

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


def test_batch_size_does_not_change_results(lite0):
    photos = [sample_photo(n) for n in ("cat", "coffee", "rocket", "flower", "temple")]
    np.testing.assert_allclose(lite0.embed(photos, batch_size=2), lite0.embed(photos, batch_size=5),
                               rtol=1e-4, atol=1e-5)


def test_embedding_is_deterministic(lite0):
    img = sample_photo("flower")
    np.testing.assert_array_equal(lite0.embed_one(img), lite0.embed_one(img))


def test_one_pixel_image_gives_a_finite_embedding(lite0):
    out = lite0.embed(np.array([[[200, 30, 30]]], dtype=np.uint8))
    assert out.shape == (1, 1280) and np.isfinite(out).all()


def test_grayscale_rgba_palette_and_16_bit_all_embed(lite0):
    base = sample_photo("coffee").resize((64, 48))
    variants = [base.convert("L"), base.convert("RGBA"), base.convert("P"),
                Image.fromarray((np.asarray(base.convert("L")).astype(np.uint16) * 257))]
    out = lite0.embed(variants)
    assert out.shape == (4, 1280) and np.isfinite(out).all()


def test_empty_batch_gives_zero_rows(lite0):
    assert lite0.embed([]).shape == (0, 1280)


def test_batch_with_a_bad_item_names_the_problem(lite0):
    with pytest.raises(ValueError, match="expected an image array of shape"):
        lite0.embed([np.zeros((8, 8, 3), np.uint8), np.zeros(100)])


def test_zero_batch_size_is_rejected(lite0):
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        lite0.embed([np.zeros((8, 8, 3), np.uint8)], batch_size=0)


def test_resnet50_missing_offline_says_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    models.clear_cache()
    with pytest.raises(AssetUnavailableError, match=r"course prefetch.*efficientnet_lite0"):
        load_image_encoder("resnet50", device="cpu")
    assert not models.is_available("resnet50")


def test_resnet50_loads_a_planted_checkpoint_from_the_hub_cache(tmp_path, monkeypatch):
    from torchvision.models import resnet50

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
