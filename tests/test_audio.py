"""course_utils.audio: input checks, loading, MFCC embeddings and the book's trumpet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import librosa
import numpy as np
import pytest

from course_utils import audio
from course_utils.audio.sounds import brass_tone, clarinet_tone, flute_tone, noise
from course_utils.errors import AssetUnavailableError
from course_utils.similarity import cosine_similarity

SR = 22050

#: librosa 1.0's own time_stretch (also inside pitch_shift) passes phase_vocoder two arguments that librosa 1.0
#: deprecated (hop_length, n_fft): a FutureWarning about librosa's code, not ours, silenced only where called.
LIBROSA_1_0_STRETCH_WARNING = "ignore:The `(hop_length|n_fft)` parameter is deprecated as of 1.0:FutureWarning"


def book_recipe(y: np.ndarray, sr: int, n_mfcc: int = 20) -> np.ndarray:
    """The book's audio_to_embedding, written out independently of the code under test."""
    mfccs = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=n_mfcc)
    return np.concatenate([mfccs.mean(axis=1), mfccs.std(axis=1)])


@pytest.fixture(scope="module")
def tone() -> np.ndarray:
    return brass_tone(440.0, duration=1.0, sr=SR)


# --- the embedding itself ----------------------------------------------------

def test_mfcc_embedding_is_means_then_stds_of_librosa_mfcc(tone):
    emb = audio.mfcc_embedding(tone, SR)
    assert emb.shape == (40,)
    np.testing.assert_allclose(emb, book_recipe(tone, SR), rtol=1e-6, atol=1e-5)
    # first half are means, second half standard deviations (which cannot be negative)
    assert np.all(emb[20:] >= 0)


def test_n_mfcc_sets_the_embedding_size(tone):
    assert audio.mfcc_embedding(tone, SR, n_mfcc=13).shape == (26,)
    with pytest.raises(ValueError, match="n_mfcc"):
        audio.mfcc_embedding(tone, SR, n_mfcc=0)


def test_embedding_size_does_not_depend_on_clip_length():
    short_clip, long_clip = brass_tone(440.0, duration=0.2), brass_tone(440.0, duration=3.0)
    short, long = audio.mfcc_embedding(short_clip, SR), audio.mfcc_embedding(long_clip, SR)
    assert short.shape == long.shape == (40,)
    np.testing.assert_allclose(short, book_recipe(short_clip, SR), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(long, book_recipe(long_clip, SR), rtol=1e-5, atol=1e-4)


def test_volume_moves_only_coefficient_zero(tone):
    # Halving the amplitude is a -6 dB shift in every mel band: the DCT puts
    # a constant shift entirely into coefficient 0, so timbre (1..19) is unchanged.
    loud = audio.mfcc_embedding(tone, SR)
    quiet = audio.mfcc_embedding(0.5 * tone, SR)
    assert quiet[0] < loud[0] - 10
    np.testing.assert_allclose(quiet[1:], loud[1:], atol=0.05)


@pytest.mark.filterwarnings(LIBROSA_1_0_STRETCH_WARNING)
def test_different_timbres_are_less_similar_than_a_tempo_change():
    trumpet = brass_tone(349.23, duration=1.5)
    slower = librosa.effects.time_stretch(trumpet, rate=0.8)
    e = {name: audio.mfcc_embedding(y, SR) for name, y in
         {"trumpet": trumpet, "slower": slower, "noise": noise(1.5, color="pink", seed=0)}.items()}
    assert cosine_similarity(e["trumpet"], e["slower"]) > cosine_similarity(e["trumpet"], e["noise"])


def test_batched_embeddings_equal_the_book_recipe_per_clip():
    clips = [
        brass_tone(440.0, duration=1.0),
        1e-3 * clarinet_tone(220.0, duration=1.0),   # same length, 60 dB quieter: top_db must be per clip
        flute_tone(660.0, duration=0.7, seed=3),
        noise(1.3, color="white", seed=1),
    ]
    batched = audio.mfcc_embeddings(clips, SR)
    assert batched.shape == (4, 40)
    for clip, row in zip(clips, batched):
        np.testing.assert_allclose(row, book_recipe(clip, SR), rtol=1e-4, atol=1e-3)


def test_batched_embeddings_match_mfcc_embedding_for_mixed_lengths_and_loudness():
    # Lengths from one FFT window to 3 s, levels from full scale to -70 dB, two clips of each length
    # so that stacking, the shared filterbank and the per-clip top_db are all exercised.
    clips = [
        brass_tone(440.0, duration=1.0),
        3e-4 * clarinet_tone(220.0, duration=1.0),
        0.05 * flute_tone(660.0, duration=0.7, seed=3),
        flute_tone(330.0, duration=0.7, seed=4),
        noise(3.0, color="pink", seed=2),
        1e-2 * noise(3.0, color="brown", seed=5),
        brass_tone(349.23, duration=2048 / SR),
    ]
    batched = audio.mfcc_embeddings(clips, SR)
    single = np.stack([audio.mfcc_embedding(clip, SR) for clip in clips])
    # float32 rounding only: values reach a few hundred, differences stay near 1e-5
    np.testing.assert_allclose(batched, single, rtol=1e-5, atol=1e-4)


def test_n_mfcc_follows_the_one_rule_for_integers(tone):
    assert audio.mfcc_embedding(tone, SR, n_mfcc=np.int64(13)).shape == (26,)
    for bad in (13.0, True):
        with pytest.raises(TypeError, match="expected n_mfcc as an integer"):
            audio.mfcc_embedding(tone, SR, n_mfcc=bad)
        with pytest.raises(TypeError, match="expected n_mfcc as an integer"):
            audio.mfcc_embeddings([tone], SR, n_mfcc=bad)


def test_batched_embeddings_name_the_bad_clip(tone):
    with pytest.raises(ValueError, match=r"clip 1: .*silent"):
        audio.mfcc_embeddings([tone, np.zeros(SR, dtype=np.float32)], SR)
    with pytest.raises(ValueError, match="at least one clip"):
        audio.mfcc_embeddings([], SR)


# --- bad input ---------------------------------------------------------------

def test_empty_audio_raises_clear_error():
    with pytest.raises(ValueError, match="expected y with at least one value"):
        audio.mfcc_embedding(np.array([], dtype=np.float32), SR)


def test_silent_audio_raises_clear_error_instead_of_a_vector():
    with pytest.raises(ValueError, match="silent clip"):
        audio.mfcc_embedding(np.zeros(SR, dtype=np.float32), SR)
    with pytest.raises(ValueError, match="silent clip"):
        audio.mfcc_embedding(np.full(SR, 1e-7, dtype=np.float32), SR)


def test_silent_audio_never_yields_nan_similarity(tone):
    # Either the embedding is refused, or (if someone bypasses the check) the
    # similarity helper refuses a zero vector: never a silent NaN.
    with pytest.raises(ValueError):
        cosine_similarity(audio.mfcc_embedding(tone, SR), audio.mfcc_embedding(np.zeros(SR), SR))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_raise_clear_error(tone, bad):
    y = tone.copy()
    y[100] = bad
    with pytest.raises(ValueError, match="NaN or infinite values .*index 100"):
        audio.mfcc_embedding(y, SR)


def test_stereo_is_refused_by_the_embedding(tone):
    stereo = np.stack([tone, 0.5 * tone])                  # librosa layout (channels, n)
    with pytest.raises(ValueError, match=r"1-D float array, got shape \(2, 22050\)"):
        audio.mfcc_embedding(stereo, SR)


def test_int16_pcm_is_scaled_to_unit_range(tone):
    pcm_tone = np.round(tone * 32767).astype(np.int16)
    np.testing.assert_allclose(audio.mfcc_embedding(pcm_tone, SR),
                               book_recipe(pcm_tone.astype(np.float32) / 32768, SR), rtol=1e-4, atol=1e-3)


def test_uint8_pcm_is_centred(tone):
    pcm = np.round(tone * 127 + 128).astype(np.uint8)
    np.testing.assert_allclose(audio.mfcc_embedding(pcm, SR),
                               book_recipe((pcm.astype(np.float32) - 128) / 128, SR), rtol=1e-4, atol=1e-3)


def test_non_numeric_audio_raises():
    with pytest.raises((TypeError, ValueError), match="dtype"):
        audio.mfcc_embedding(np.array(["a", "b"] * 2048), SR)


def test_clip_shorter_than_one_fft_window_raises(tone):
    with pytest.raises(ValueError, match=r"at least 2048 samples .* got 1000"):
        audio.mfcc_embedding(tone[:1000], SR)
    assert audio.mfcc_embedding(tone[:2048], SR).shape == (40,)


@pytest.mark.parametrize("sr, error, match", [
    *[(sr, ValueError, "expected sr as a whole number") for sr in (0, -22050, 22050.5, 10**7)],
    *[(sr, TypeError, "expected sr as a number") for sr in (None, "22050", True)],
    (float("nan"), ValueError, "sr contains NaN"),
])
def test_bad_sample_rate_raises_clear_error(tone, sr, error, match):
    with pytest.raises(error, match=match):
        audio.mfcc_embedding(tone, sr)


def test_sample_rate_given_as_integral_float_is_accepted(tone):
    np.testing.assert_array_equal(audio.mfcc_embedding(tone, 22050.0), audio.mfcc_embedding(tone, SR))


# --- listening ---------------------------------------------------------------

def test_listen_checks_its_clips_and_rates(tone):
    players = audio.listen({"trumpet <1>": tone}, SR)
    assert players.data.count("<audio") == 1 and "trumpet &lt;1&gt;" in players.data
    with pytest.raises(ValueError, match=r"clip 'loud': expected float audio in \[-1, 1\]"):
        audio.listen({"fine": tone, "loud": tone * 32767}, SR)
    with pytest.raises(TypeError, match="expected clips as a dict of label -> samples, got list"):
        audio.listen([tone], SR)


# --- the book's trumpet ------------------------------------------------------

@pytest.fixture
def empty_caches(tmp_path, monkeypatch):
    """Point both of librosa's cache locations at empty folders."""
    import pooch

    monkeypatch.setenv("LIBROSA_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(pooch, "os_cache", lambda name: tmp_path / "default")
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)
    return tmp_path


def test_missing_trumpet_is_reported_without_downloading(empty_caches, monkeypatch):
    monkeypatch.setattr(librosa, "ex", lambda *a, **k: pytest.fail("must not download"))
    assert audio.trumpet_available() is False
    with pytest.raises(AssetUnavailableError, match="course prefetch"):   # the course's one missing-asset error
        audio.book_trumpet_path()
    assert audio.trumpet.asset_rows()[0].present is False


def test_trumpet_with_wrong_checksum_is_not_used(empty_caches):
    (empty_caches / "env").mkdir()
    (empty_caches / "env" / audio.TRUMPET_FILENAME).write_bytes(b"truncated download")
    assert audio.trumpet_available() is False


def test_failed_download_raises_one_clear_asset_error(empty_caches, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(librosa, "ex", no_network)
    with pytest.raises(AssetUnavailableError, match="could not download the book's trumpet .*course prefetch") as info:
        audio.prefetch_trumpet()
    assert "Name or service not known" in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__      # no chained pooch traceback


def test_offline_mode_never_tries_to_download(empty_caches, monkeypatch):
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setattr(librosa, "ex", lambda *a, **k: pytest.fail("must not download"))
    with pytest.raises(AssetUnavailableError, match="COURSE_OFFLINE"):
        audio.prefetch_trumpet()


SHARED_TRUMPET = Path(__file__).resolve().parents[2] / "shared" / "data" / "librosa" / audio.TRUMPET_FILENAME


@pytest.mark.skipif(not SHARED_TRUMPET.is_file(), reason=f"no copy of the trumpet at {SHARED_TRUMPET}")
def test_trumpet_is_found_in_librosa_data_dir(empty_caches):
    folder = empty_caches / "env"
    folder.mkdir()
    shutil.copy(SHARED_TRUMPET, folder)
    assert audio.book_trumpet_path() == folder / audio.TRUMPET_FILENAME
    assert audio.trumpet_available() is True


def _trumpet_or_skip() -> Path:
    try:
        return audio.book_trumpet_path()
    except FileNotFoundError as err:
        reason = f"book trumpet unavailable: {err}"
        if os.environ.get("COURSE_REQUIRE_BOOK_REFERENCE", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason + " (COURSE_REQUIRE_BOOK_REFERENCE is set, so this must run)")
        pytest.skip(reason)


@pytest.mark.filterwarnings(LIBROSA_1_0_STRETCH_WARNING)
@pytest.mark.book_reference
def test_book_trumpet_reproduces_the_books_three_similarities():
    path = _trumpet_or_skip()
    y, sr = librosa.load(path)                           # = librosa.load(librosa.ex('trumpet'))
    assert sr == 22050
    original = audio.mfcc_embedding(y, sr)
    slower = audio.mfcc_embedding(librosa.effects.time_stretch(y, rate=0.8), sr)
    higher = audio.mfcc_embedding(librosa.effects.pitch_shift(y, sr=sr, n_steps=12), sr)
    assert round(cosine_similarity(original, slower), 3) == 1.000
    assert round(cosine_similarity(original, higher), 3) == 0.978
    assert round(cosine_similarity(slower, higher), 3) == 0.980


def test_listening_to_silence_writes_nothing_to_stderr():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")                      # the old code warned twice (0 / 0 in IPython's Audio)
        html = audio.listen({"silence": np.zeros(22050, dtype=np.float32)}, sr=22050)
    assert "<audio" in html.data


@pytest.mark.parametrize("embed", [lambda y, sr: audio.mfcc_embedding(y, sr), lambda y, sr: audio.mfcc_embeddings([y], sr)])
def test_a_sample_rate_too_high_for_the_books_mfcc_is_one_sentence_not_a_librosa_warning(embed):
    y = (0.5 * np.sin(np.linspace(0, 2000, 192_000))).astype(np.float32)
    with pytest.raises(ValueError, match="up to 96000 Hz.*resample first"):
        embed(y, 192_000)
