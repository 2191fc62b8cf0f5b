"""Regression tests for the audio defects of issue 10 (items 2, 3, 9 and 12).

- 2: float audio far outside [-1, 1] (int16 values stored as floats) is refused by every audio entry point.
- 3: ``load_hub_audio_model`` honours ``COURSE_OFFLINE=1``: cache only, one AssetUnavailableError, no network.
- 12: a constant (DC-only) signal is not accepted as sound.
"""

from __future__ import annotations

import socket
import sys
import traceback
import types

import librosa
import numpy as np
import pytest

from course_utils import audio
from course_utils.audio import learned as audio_models
from course_utils.audio.playback import listen
from course_utils.audio.sounds import brass_tone, clarinet_tone
from course_utils.errors import AssetUnavailableError
from course_utils.similarity import cosine_similarity

SR = 22050


@pytest.fixture(scope="module")
def tone() -> np.ndarray:
    return brass_tone(440.0, duration=1.0, sr=SR)


def assert_no_chained_traceback(err: BaseException) -> None:
    """The error is shown alone: no 'During handling of the above exception' block above it."""
    text = "".join(traceback.format_exception(type(err), err, err.__traceback__))
    assert "During handling of the above exception" not in text
    assert "The above exception was the direct cause" not in text


# --- 2: float audio scaled like int16 ----------------------------------------

AUDIO_ENTRY_POINTS = {
    "mfcc_embedding": lambda y: audio.mfcc_embedding(y, SR),
    "mfcc_embeddings": lambda y: audio.mfcc_embeddings([y], SR),
    "check_audio": lambda y: audio.check_audio(y, SR),
    "listen": lambda y: listen({"clip": y}, SR),
    "crepe_embedding": lambda y: audio_models.crepe_embedding(y, SR),
    "crepe_pitch": lambda y: audio_models.crepe_pitch(y, SR),
}


@pytest.mark.parametrize("entry", sorted(AUDIO_ENTRY_POINTS))
@pytest.mark.parametrize("scale", [32767.0, 1e18])
def test_float_audio_far_outside_unit_range_is_refused_by_every_entry_point(tone, entry, scale):
    # wavfile.read(...).astype(float) gives int16 values as floats: cosine -0.70 against the same
    # clip before the fix, and all NaN at 1e18.
    with pytest.raises(ValueError, match=r"expected float audio in \[-1, 1\], got a peak amplitude of") as info:
        AUDIO_ENTRY_POINTS[entry](tone.astype(np.float64) * scale)
    assert "divide int16 samples by 32768" in str(info.value)
    assert_no_chained_traceback(info.value)


def test_a_resampler_overshoot_to_1_2_is_still_accepted():
    # A full-scale square-ish wave, resampled: band-limiting makes it ring above 1.0 (Gibbs).
    square = np.clip(8.0 * clarinet_tone(220.0, duration=1.0, sr=44100), -1.0, 1.0)
    resampled = librosa.resample(square, orig_sr=44100, target_sr=SR)
    assert np.abs(resampled).max() > 1.0
    at_1_2 = resampled * (1.2 / np.abs(resampled).max())
    emb = audio.mfcc_embedding(at_1_2, SR)
    assert emb.shape == (40,) and np.all(np.isfinite(emb))
    # and it embeds like the same clip at full scale (loudness moves coefficient 0 only)
    assert cosine_similarity(emb[1:], audio.mfcc_embedding(at_1_2 / 1.2, SR)[1:]) > 0.999


# --- 12: constant signals ----------------------------------------------------

@pytest.mark.parametrize("constant", [
    np.full(SR, 0.3, dtype=np.float32),
    np.full(SR, -0.9, dtype=np.float64),
    np.full(SR, 5000, dtype=np.int16),
    (0.25 + 1e-6 * np.random.default_rng(0).standard_normal(SR)).astype(np.float32),   # DC plus -120 dB hiss
])
def test_a_constant_signal_is_refused_as_not_a_sound(constant):
    for embed in (lambda y: audio.mfcc_embedding(y, SR), lambda y: audio_models.crepe_embedding(y, SR)):
        with pytest.raises(ValueError, match="expected a sound, got a constant signal"):
            embed(constant)
    with pytest.raises(ValueError, match=r"clip 0: expected a sound, got a constant signal"):
        audio.mfcc_embeddings([constant], SR)


def test_a_sound_on_a_dc_offset_is_accepted(tone):
    emb = audio.mfcc_embedding(0.2 * tone + 0.3, SR)
    assert np.all(np.isfinite(emb))


# --- 3: hub models offline ---------------------------------------------------

class FakeHub:
    """Stands in for transformers' classes: records each call, has nothing cached."""

    calls: list[dict] = []

    @classmethod
    def from_pretrained(cls, repo_id, **kwargs):
        cls.calls.append({"repo_id": repo_id, **kwargs})
        if kwargs.get("local_files_only"):
            raise OSError(f"We couldn't connect to 'https://huggingface.co' to load {repo_id}; cache only")
        raise AssertionError("the network was asked for a download")


@pytest.fixture
def fake_transformers(monkeypatch):
    FakeHub.calls = []
    fake = types.SimpleNamespace(AutoFeatureExtractor=FakeHub, Wav2Vec2Model=FakeHub,
                                 ClapProcessor=FakeHub, ClapModel=FakeHub)
    monkeypatch.setitem(sys.modules, "transformers", fake)

    def no_network(*args, **kwargs):
        raise AssertionError("load_hub_audio_model opened a socket with COURSE_OFFLINE=1")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    return FakeHub


@pytest.mark.parametrize("name", ["wav2vec2", "clap"])
def test_offline_hub_loader_reads_only_the_cache_and_raises_one_asset_error(monkeypatch, fake_transformers, name):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    with pytest.raises(AssetUnavailableError) as info:
        audio_models.load_hub_audio_model(name)
    assert fake_transformers.calls and all(call["local_files_only"] is True for call in fake_transformers.calls)
    message = str(info.value)
    assert audio_models.HUB_AUDIO_MODELS[name]["repo_id"] in message
    assert "COURSE_OFFLINE is set" in message and "`course prefetch`" in message
    assert message.count(";") <= 1 and "\n" not in message                  # one sentence
    assert isinstance(info.value, FileNotFoundError)
    assert_no_chained_traceback(info.value)


def test_offline_hub_loader_returns_a_cached_model(monkeypatch):
    class Cached:
        @staticmethod
        def from_pretrained(repo_id, **kwargs):
            assert kwargs["local_files_only"] is True
            return types.SimpleNamespace(eval=lambda: "model in eval mode")

    fake = types.SimpleNamespace(AutoFeatureExtractor=Cached, Wav2Vec2Model=Cached)
    monkeypatch.setitem(sys.modules, "transformers", fake)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    processor, model = audio_models.load_hub_audio_model("wav2vec2")
    assert model == "model in eval mode"


def test_online_download_failure_is_an_asset_error_too(monkeypatch):
    class Down:
        @staticmethod
        def from_pretrained(repo_id, **kwargs):
            assert kwargs["local_files_only"] is False
            raise OSError("Name or service not known")

    monkeypatch.setitem(sys.modules, "transformers", types.SimpleNamespace(ClapProcessor=Down, ClapModel=Down))
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    with pytest.raises(AssetUnavailableError, match=r"the download failed \(OSError\)") as info:
        audio_models.load_hub_audio_model("clap")
    assert_no_chained_traceback(info.value)


def test_offline_hub_loader_without_transformers_says_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    with pytest.raises(ImportError, match="needs the transformers package, which is not installed") as info:
        audio_models.load_hub_audio_model("wav2vec2")
    assert_no_chained_traceback(info.value)


@pytest.mark.parametrize("kwargs, error", [
    ({"name": 2}, TypeError), ({"name": "vggish"}, ValueError),
])
def test_hub_loader_checks_its_arguments_before_importing_anything(monkeypatch, kwargs, error):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(error):
        audio_models.load_hub_audio_model(**kwargs)
