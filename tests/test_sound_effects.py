"""aiSFX, 5.2's learned sound-effects embedding: the package's own front end and network, and a checkpoint
that is never unpickled unless it is the file aisfx 0.1.2 ships."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import soundfile
import torch

from course_utils.audio.sound_effects import AISFX_SR, aisfx_blocks, aisfx_embedding, load_aisfx
from course_utils.audio.sounds import brass_tone, noise
from course_utils.errors import AssetUnavailableError

aisfx = pytest.importorskip("aisfx")
from aisfx import inference, preprocessing  # noqa: E402
from aisfx.spectrogram import spectrogram_librosa  # noqa: E402


class _Planted:
    """Unpickling this writes a file: the code a tampered checkpoint could run."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_tampered_checkpoint_is_refused_without_being_unpickled(tmp_path):
    planted = tmp_path / "ran.txt"
    bad = tmp_path / "checkpoint.pth"
    torch.save(_Planted(planted), bad, pickle_module=pickle)
    with pytest.raises(AssetUnavailableError, match="SHA-256"):
        load_aisfx(bad)
    assert not planted.exists()


def test_a_missing_checkpoint_says_how_to_reinstall(tmp_path):
    with pytest.raises(AssetUnavailableError, match="pip install --no-deps"):
        load_aisfx(tmp_path / "nothing.pth")


@pytest.mark.parametrize("seconds", [2.0, 5.0])     # shorter than one block (padded), and three blocks
def test_blocks_are_the_packages_librosa_front_end(tmp_path, seconds):
    y = 0.3 * noise(seconds, sr=AISFX_SR, color="pink", seed=3)
    path = tmp_path / "clip.wav"
    soundfile.write(path, y, AISFX_SR, subtype="FLOAT")
    spec = spectrogram_librosa.compute_spectrogram(str(path), AISFX_SR, inference.SPEC_BLOCK_LENGTH,
                                                   inference.SPEC_HOP_LENGTH, inference.MEL_BINS,
                                                   inference.F_MIN, inference.F_MAX).T
    spec = preprocessing.spectrogram_normalize(spec)
    hop = preprocessing.compute_hopSize(inference.EMB_BLOCK_LENGTH, 0.5, spec)
    expected = preprocessing.blocking(spec, inference.EMB_BLOCK_LENGTH, hop, drop_partial_block=True)
    ours = aisfx_blocks(y, AISFX_SR)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, atol=1e-5)


def test_the_embedding_is_the_packages_network_with_its_weights():
    weights, datasets = torch.load(inference.get_path_modelWeights(), map_location="cpu", weights_only=False)
    theirs = inference.load_bestModel(weights, datasets, "cpu")
    blocks = torch.from_numpy(aisfx_blocks(brass_tone(330.0, duration=1.0), sr=22050))
    with torch.inference_mode():
        np.testing.assert_allclose(load_aisfx()(blocks).numpy(), theirs.get_embedding(blocks).numpy(),
                                   rtol=1e-5, atol=1e-6)


def test_peak_normalising_keeps_the_volume_from_the_network_and_turning_it_off_lets_it_through():
    y = brass_tone(330.0, duration=1.0)
    loud, quiet = aisfx_embedding(y, 22050), aisfx_embedding(0.01 * y, 22050)
    np.testing.assert_allclose(quiet, loud, rtol=1e-4, atol=1e-5)
    raw_loud = aisfx_embedding(y, 22050, peak_normalise=False)
    raw_quiet = aisfx_embedding(0.01 * y, 22050, peak_normalise=False)
    assert np.abs(raw_loud - raw_quiet).max() > 0.1 * np.abs(raw_loud).max()


def test_peak_normalise_must_be_a_bool():
    with pytest.raises(TypeError, match="peak_normalise"):
        aisfx_blocks(brass_tone(330.0), 22050, peak_normalise="yes")
