"""Regression tests for the audio defects of issue 10 (items 2, 3, 9 and 12).

- 2: float audio far outside [-1, 1] (int16 values stored as floats) is refused by every audio entry point.
- 3: ``load_hub_audio_model`` honours ``COURSE_OFFLINE=1``: cache only, one AssetUnavailableError, no network.
- 9: ``load_audio`` names why a file cannot be decoded (without a chained traceback), says where a NaN
  sample is, and warns when a wav/ogg/mp3 file is truncated.
- 12: a constant (DC-only) signal is not accepted as sound.
"""

from __future__ import annotations

import socket
import sys
import traceback
import types
import warnings
from pathlib import Path

import librosa
import numpy as np
import pytest
import soundfile as sf

from course_utils import audio
from course_utils.audio import learned as audio_models
from course_utils.assets import AssetUnavailableError
from course_utils.audio import TruncatedAudioWarning
from course_utils.audio.playback import listen
from course_utils.similarity import cosine_similarity
from course_utils.audio.sounds import brass_tone, clarinet_tone

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
    "to_mono": lambda y: audio.to_mono(y),
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
@pytest.mark.parametrize("asked", [False, True])
def test_offline_hub_loader_reads_only_the_cache_and_raises_one_asset_error(monkeypatch, fake_transformers,
                                                                          name, asked):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    with pytest.raises(AssetUnavailableError) as info:
        audio_models.load_hub_audio_model(name, local_files_only=asked)
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
    ({"name": 2}, TypeError), ({"name": "vggish"}, ValueError), ({"local_files_only": "yes"}, TypeError),
])
def test_hub_loader_checks_its_arguments_before_importing_anything(monkeypatch, kwargs, error):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(error):
        audio_models.load_hub_audio_model(**kwargs)


# --- 9: loading broken files -------------------------------------------------

def test_text_file_named_wav_raises_one_sentence_naming_the_cause(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not a wave file\n" * 20)
    with pytest.raises(ValueError) as info:
        audio.load_audio(bad)
    message = str(info.value)
    assert message.startswith("could not decode notes.wav as audio: soundfile says 'Format not recognised'")
    assert "starts with b'this is not a wa'" in message
    assert_no_chained_traceback(info.value)
    # the whole traceback is a few lines, not the 44 of soundfile -> audioread -> librosa
    assert len(traceback.format_exception(type(info.value), info.value, None)) == 1


def test_empty_file_says_it_is_empty(tmp_path):
    (tmp_path / "empty.ogg").write_bytes(b"")
    with pytest.raises(ValueError, match="the file is empty"):
        audio.load_audio(tmp_path / "empty.ogg")


@pytest.mark.parametrize("sr", [SR, 16000, None])
def test_float_wav_with_one_nan_says_it_decoded_and_where_the_nan_is(tmp_path, tone, sr):
    y = tone.copy()
    y[1234] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(ValueError, match=r"nan.wav decoded, but holds NaN at sample 1234 \(0.056 s; "
                                         r"1 non-finite sample in all\)") as info:
        audio.load_audio(path, sr=sr)
    assert "could not decode" not in str(info.value)


def test_stereo_float_wav_with_inf_names_the_sample(tmp_path, tone):
    y = np.stack([tone, tone], axis=1)
    y[700, 1] = -np.inf
    y[900, 0] = np.nan
    path = tmp_path / "inf.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    with pytest.raises(ValueError, match=r"holds -inf at sample 700 .* 2 non-finite samples in all"):
        audio.load_audio(path, mono=False)


def test_float_wav_holding_int16_values_is_refused_at_load(tmp_path, tone):
    path = tmp_path / "loud.wav"
    sf.write(path, tone * 32767, SR, subtype="FLOAT")
    with pytest.raises(ValueError, match=r"loud.wav decoded, but its samples are out of range: expected float audio"):
        audio.load_audio(path)


def _truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    cut = path.with_name("cut_" + path.name)
    cut.write_bytes(data[: int(len(data) * keep)])
    return cut


FORMATS = [("wav", "WAV", "PCM_16"), ("wav", "WAV", "FLOAT"), ("ogg", "OGG", "VORBIS"),
           ("mp3", "MP3", "MPEG_LAYER_III")]


@pytest.mark.parametrize("ext, fmt, subtype", FORMATS)
def test_truncated_file_loads_what_is_there_with_a_warning(tmp_path, ext, fmt, subtype):
    if subtype not in sf.available_subtypes(fmt):
        pytest.skip(f"this libsndfile cannot write {fmt}/{subtype}")
    y = np.tile(brass_tone(440.0, duration=1.0), 3)                      # 3 s
    full = tmp_path / f"clip.{ext}"
    sf.write(full, y, SR, format=fmt, subtype=subtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                                   # a complete file loads silently
        whole, _ = audio.load_audio(full)
    with pytest.warns(TruncatedAudioWarning, match=r"cut_clip\.\w+ looks truncated: .*; loaded the") as record:
        part, rate = audio.load_audio(_truncate(full))
    assert issubclass(record[0].category, UserWarning)
    assert record[0].filename == __file__                                # points at the caller's line
    assert rate == SR and 0 < part.size < 0.75 * whole.size


def test_truncated_flac_raises_naming_the_decoder_error(tmp_path):
    full = tmp_path / "clip.flac"
    sf.write(full, np.tile(brass_tone(440.0, duration=1.0), 3), SR, format="FLAC")
    with pytest.raises(ValueError, match=r"could not decode cut_clip.flac as audio: soundfile says .*complete") as info:
        audio.load_audio(_truncate(full))
    assert_no_chained_traceback(info.value)


def test_load_audio_gives_librosa_loads_exact_samples(tmp_path, tone):
    path = tmp_path / "stereo.ogg"
    sf.write(path, np.stack([tone, 0.5 * tone], axis=1), 44100, format="OGG")
    for kwargs in ({}, {"sr": 16000}, {"sr": None}, {"mono": False}):
        ours, our_sr = audio.load_audio(path, **kwargs)
        theirs, their_sr = librosa.load(path, **kwargs)
        assert our_sr == their_sr
        np.testing.assert_array_equal(ours, theirs)


def test_load_audio_checks_its_arguments(tmp_path, tone):
    path = tmp_path / "a.wav"
    sf.write(path, tone, SR)
    with pytest.raises(TypeError, match="expected mono as True or False"):
        audio.load_audio(path, mono="yes")
    with pytest.raises(ValueError, match="expected sr as a whole number"):
        audio.load_audio(path, sr=True)
    assert audio.load_audio(path, sr=np.int64(16000))[1] == 16000
