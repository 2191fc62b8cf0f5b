"""Tests for course_utils.video: frame sampling from files, and video embeddings."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from course_utils.image.registry import is_available, load_image_encoder
from course_utils.similarity import cosine_similarity
from course_utils.video import (
    frame_indices,
    probe_video,
    sample_frames,
    validate_frames,
    write_video,
)
from course_utils.video.embeddings import embed_frames, temporal_embedding, video_embedding

STEP = 16  # colour step used to write a frame's index into its pixels (survives lossy coding)


def numbered_clip(n: int, height: int = 32, width: int = 48) -> np.ndarray:
    """Solid frames whose colour encodes their index: R = low 4 bits, G = high bits."""
    return np.stack([
        np.full((height, width, 3), [(i % 16) * STEP + 8, (i // 16) * STEP + 8, 128], np.uint8)
        for i in range(n)
    ])


def frame_numbers(frames: np.ndarray) -> np.ndarray:
    """Read back the index written by numbered_clip."""
    mean = frames.reshape(len(frames), -1, 3).mean(axis=1)
    return (np.floor(mean[:, 0] / STEP) + 16 * np.floor(mean[:, 1] / STEP)).astype(int)


# ---------------------------------------------------------------- frame_indices

def test_frame_indices_take_the_centre_of_each_slice():
    # 100 frames in 4 slices of 25: centres at 12.5, 37.5, 62.5, 87.5
    assert frame_indices(100, 4).tolist() == [12, 37, 62, 87]


def test_frame_indices_single_frame_is_the_middle():
    assert frame_indices(9, 1).tolist() == [4]
    assert frame_indices(10, 1).tolist() == [5]


def test_frame_indices_repeat_frames_when_asking_for_more_than_exist():
    idx = frame_indices(3, 7)
    assert len(idx) == 7
    assert set(idx.tolist()) == {0, 1, 2}
    assert np.all(np.diff(idx) >= 0)


def test_frame_indices_of_a_one_frame_video_are_all_zero():
    assert frame_indices(1, 5).tolist() == [0, 0, 0, 0, 0]


def test_frame_indices_equal_count_gives_every_frame_once():
    assert frame_indices(6, 6).tolist() == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("n, k", [(0, 3), (5, 0), (-1, 2)])
def test_frame_indices_reject_counts_below_one(n, k):
    with pytest.raises(ValueError, match=r"expected (n_frames|k) >= 1"):
        frame_indices(n, k)


@pytest.mark.parametrize("n, k", [(2.5, 1), (True, 2), (5, 2.0), ("5", 2)])
def test_frame_indices_reject_non_integers_with_type_error(n, k):
    with pytest.raises(TypeError, match=r"expected (n_frames|k) as an integer"):
        frame_indices(n, k)


def test_frame_indices_accept_numpy_integers():
    assert frame_indices(np.int64(100), np.int32(4)).tolist() == [12, 37, 62, 87]


# ---------------------------------------------------------------- validate_frames

@pytest.mark.parametrize(
    "frames, error, message",
    [
        (np.zeros((4, 4, 3), np.uint8), ValueError, "4-D array"),
        (np.zeros((2, 4, 4), np.uint8), ValueError, "4-D array"),
        (np.zeros((2, 4, 4, 4), np.uint8), ValueError, "3 colour channels"),
        (np.zeros((0, 4, 4, 3), np.uint8), ValueError, "non-empty"),
        (np.zeros((2, 4, 4, 3), np.int64), TypeError, "dtype int64"),
        (np.full((2, 4, 4, 3), 2.0), ValueError, r"\[0, 1\]"),
        (np.full((2, 4, 4, 3), np.nan), ValueError, "NaN"),
        ([np.zeros((4, 4, 3)), np.zeros((5, 4, 3))], ValueError, "same size"),
        ([], ValueError, "empty"),
        ("frames.mp4", TypeError, "numpy array"),
    ],
)
def test_frames_of_the_wrong_shape_or_dtype_raise_clear_errors(frames, error, message):
    with pytest.raises(error, match=message):
        validate_frames(frames)


def test_validate_frames_accepts_uint8_and_unit_floats():
    clip = numbered_clip(2, 4, 4)
    np.testing.assert_array_equal(validate_frames(clip), clip)
    frames = [np.full((4, 4, 3), v, np.float32) for v in (0.25, 0.5, 1.0)]
    np.testing.assert_array_equal(validate_frames(frames), np.stack(frames))


# ---------------------------------------------------------------- reading files

@pytest.fixture(scope="module")
def numbered_mp4(tmp_path_factory):
    """103 frames at 25 fps, a keyframe every 10 frames, B-frames on (libx264 default)."""
    path = tmp_path_factory.mktemp("video") / "numbered.mp4"
    write_video(path, numbered_clip(103), fps=25, gop_size=10)
    return path


def test_probe_reports_the_written_clip(numbered_mp4):
    info = probe_video(numbered_mp4)
    assert (info.width, info.height, info.n_frames) == (48, 32, 103)
    assert info.fps == pytest.approx(25)
    assert info.duration == pytest.approx(103 / 25)


@pytest.mark.parametrize("k", [1, 5, 8, 103, 150])
def test_sampled_frames_are_the_evenly_spaced_ones(numbered_mp4, k):
    frames = sample_frames(numbered_mp4, k)
    assert frames.shape == (k, 32, 48, 3)
    expected = [int((i + 0.5) * 103 / k) for i in range(k)]  # centre of each slice, worked out here
    assert frame_numbers(frames).tolist() == expected


@pytest.mark.parametrize("k", [1, 3, 8, 40, 200])
@pytest.mark.parametrize("suffix, gop", [(".mp4", 10), (".mp4", None), (".webm", 7), (".mkv", 12), (".avi", 6)])
def test_seeking_returns_the_same_frames_as_decoding_everything(tmp_path, suffix, gop, k):
    path = write_video(tmp_path / f"clip{suffix}", numbered_clip(61), fps=24, gop_size=gop)
    seek = sample_frames(path, k, method="seek")
    decode = sample_frames(path, k, method="decode")
    np.testing.assert_array_equal(seek, decode)


def test_webm_without_a_stored_frame_count_is_sampled_by_duration(tmp_path):
    path = write_video(tmp_path / "clip.webm", numbered_clip(40), fps=20, gop_size=8)
    info = probe_video(path)
    assert info.n_frames is None  # webm headers carry no frame count: nothing to rely on
    assert frame_numbers(sample_frames(path, 4)).tolist() == [5, 15, 25, 35]


def test_one_frame_video_gives_that_frame_k_times(tmp_path):
    path = write_video(tmp_path / "one.mp4", numbered_clip(1) * 0 + 77, fps=25)
    frames = sample_frames(path, 4)
    assert frames.shape == (4, 32, 48, 3)
    assert np.all(np.abs(frames.astype(int) - 77) <= 2)


def write_vfr(path, clip: np.ndarray, times: np.ndarray, gop_size: int):
    """A variable-frame-rate H.264 mp4, as a phone writes it: frame i is shown from times[i] s (to the millisecond)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = clip.shape[2], clip.shape[1], "yuv420p"
        stream.codec_context.gop_size = gop_size
        stream.codec_context.time_base = stream.time_base = Fraction(1, 1000)
        for image, t in zip(clip, times):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = round(t * 1000), Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_variable_frame_rate_video_is_sampled_by_time(tmp_path):
    n = 40
    gaps = np.where(np.arange(n - 1) % 4 == 0, 0.2, 0.04)  # bursts and pauses
    times = np.concatenate([[0.0], np.cumsum(gaps)])
    path = write_vfr(tmp_path / "vfr.mp4", numbered_clip(n), times, gop_size=5)
    duration = probe_video(path).duration
    k = 7
    wanted = [(2 * i + 1) / (2 * k) * duration for i in range(k)]
    expected = [int(np.flatnonzero(times <= t + 1e-9).max()) for t in wanted]  # frame on screen at t
    seek = sample_frames(path, k)
    assert frame_numbers(seek).tolist() == expected
    np.testing.assert_array_equal(seek, sample_frames(path, k, method="decode"))
    # uniform-in-time differs from uniform-in-frame-number on this file
    assert expected != frame_indices(n, k).tolist()


@pytest.mark.parametrize("suffix", [".mp4", ".avi"])
def test_odd_sized_video_keeps_its_size(tmp_path, suffix):
    clip = numbered_clip(20, height=31, width=45)
    path = write_video(tmp_path / f"odd{suffix}", clip, fps=10)
    frames = sample_frames(path, 4)
    assert frames.shape == (4, 31, 45, 3)
    assert frame_numbers(frames).tolist() == [2, 7, 12, 17]   # centres of 4 slices of 20 frames
    np.testing.assert_array_equal(frames, sample_frames(path, 4, method="decode"))


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        sample_frames(tmp_path / "nope.mp4", 4)


def test_zero_byte_file_raises_clear_error(tmp_path):
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        sample_frames(path, 4)


def test_corrupt_file_raises_clear_error(tmp_path):
    path = tmp_path / "garbage.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    with pytest.raises(ValueError, match="corrupt"):
        sample_frames(path, 4)


def test_truncated_mp4_raises_clear_error(tmp_path, numbered_mp4):
    path = tmp_path / "cut.mp4"
    path.write_bytes(numbered_mp4.read_bytes()[:2000])
    with pytest.raises(ValueError, match="corrupt"):
        sample_frames(path, 4)


def test_audio_only_file_raises_no_video_stream(tmp_path):
    path = tmp_path / "tone.wav"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000, layout="mono")
        samples = (np.sin(np.arange(8000) / 5) * 10000).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with pytest.raises(ValueError, match="no video stream.*audio"):
        sample_frames(path, 4)


def test_folder_instead_of_file_raises(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        sample_frames(tmp_path, 4)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"num_frames": 0}, ValueError, "num_frames >= 1"),
        ({"num_frames": 2.5}, TypeError, "num_frames as an integer"),
        ({"num_frames": True}, TypeError, "num_frames as an integer"),
        ({"method": "fast"}, ValueError, r"expected method as one of \('seek', 'decode'\), got 'fast'"),
    ],
)
def test_bad_sampling_arguments_raise(numbered_mp4, kwargs, error, message):
    with pytest.raises(error, match=message):
        sample_frames(numbered_mp4, **{"num_frames": 4, **kwargs})


def test_sampling_accepts_a_numpy_integer_count(numbered_mp4):
    frames = sample_frames(numbered_mp4, np.int64(3))
    assert frames.shape == (3, 32, 48, 3)
    assert frame_numbers(frames).tolist() == [17, 51, 85]    # centres of 3 slices of 103 frames


def test_write_video_rejects_bad_extensions_and_frames(tmp_path):
    clip = numbered_clip(3)
    with pytest.raises(ValueError, match="extension"):
        write_video(tmp_path / "a.gif", clip)
    with pytest.raises(ValueError, match="4-D"):
        write_video(tmp_path / "a.mp4", clip[0])


# ---------------------------------------------------------------- embeddings

def test_temporal_embedding_flips_only_the_motion_half_when_reversed():
    rng = np.random.default_rng(1)
    e = rng.random((6, 5)) + np.linspace(0, 1, 6)[:, None]
    fwd, rev = temporal_embedding(e), temporal_embedding(e[::-1])
    assert fwd.shape == (10,)
    np.testing.assert_allclose(fwd[:5], rev[:5], atol=1e-6)
    np.testing.assert_allclose(fwd[5:], -rev[5:], atol=1e-6)
    assert cosine_similarity(fwd, rev) == pytest.approx(0.0, abs=1e-6)
    # with w = 0.5: (1 - 0.25) / (1 + 0.25) = 0.6
    assert cosine_similarity(temporal_embedding(e, 0.5), temporal_embedding(e[::-1], 0.5)) == pytest.approx(0.6, abs=1e-6)


def test_temporal_embedding_of_a_still_clip_has_no_motion_part():
    e = np.tile(np.arange(1.0, 5.0), (4, 1))
    out = temporal_embedding(e)
    np.testing.assert_allclose(out[4:], 0.0)
    np.testing.assert_allclose(out[:4], np.arange(1.0, 5.0) / np.linalg.norm(np.arange(1.0, 5.0)), rtol=1e-6)


@pytest.mark.parametrize("bad", [np.zeros((1, 4)), np.zeros(4), np.zeros((3, 4)), np.full((3, 4), np.nan)])
def test_temporal_embedding_rejects_unusable_input(bad):
    with pytest.raises(ValueError):
        temporal_embedding(bad)


@pytest.mark.parametrize(
    "weight, error",
    [(float("inf"), ValueError), (float("nan"), ValueError), (-0.5, ValueError), ("1", TypeError), (True, TypeError)],
)
def test_temporal_embedding_rejects_a_motion_weight_that_is_not_a_finite_number_of_at_least_zero(weight, error):
    e = np.random.default_rng(2).random((4, 3))
    with pytest.raises(error, match="motion_weight"):
        temporal_embedding(e, weight)  # inf used to return NaN


def test_temporal_embedding_accepts_numpy_scalars_as_motion_weight():
    e = np.random.default_rng(2).random((4, 3))
    np.testing.assert_array_equal(temporal_embedding(e, np.float32(0.5)), temporal_embedding(e, 0.5))
    np.testing.assert_array_equal(temporal_embedding(e, np.int64(2)), temporal_embedding(e, 2.0))


@pytest.fixture(scope="module")
def lite0():
    return load_image_encoder("efficientnet_lite0", device="cpu")


def test_mean_pooling_cannot_tell_a_clip_from_its_reverse_but_temporal_can(lite0):
    clip = np.zeros((4, 48, 48, 3), np.uint8)
    for t in range(4):
        clip[t, :, : 12 * (t + 1)] = (200, 40, 40)  # a red area growing from the left
    fwd_mean = video_embedding(clip, lite0)
    rev_mean = video_embedding(clip[::-1], lite0)
    assert fwd_mean.shape == (1280,)
    assert cosine_similarity(fwd_mean, rev_mean) > 0.9999
    fwd_t = temporal_embedding(embed_frames(clip, lite0))
    rev_t = temporal_embedding(embed_frames(clip[::-1], lite0))
    assert fwd_t.shape == (2560,)
    assert cosine_similarity(fwd_t, rev_t) < 0.01


def test_video_embedding_from_a_file_equals_embedding_its_sampled_frames(tmp_path, lite0):
    path = write_video(tmp_path / "c.mp4", numbered_clip(12, 40, 40), fps=12)
    from_file = video_embedding(path, lite0, num_frames=3)
    by_hand = lite0.embed(list(sample_frames(path, 3))).mean(axis=0)
    np.testing.assert_allclose(from_file, by_hand, rtol=1e-5, atol=1e-6)


def test_embed_frames_batches_give_the_same_vectors(lite0):
    clip = numbered_clip(5, 40, 40)
    np.testing.assert_allclose(embed_frames(clip, lite0, batch_size=2), embed_frames(clip, lite0, batch_size=5),
                               rtol=1e-4, atol=1e-5)


def test_embed_frames_progress_bar_goes_to_stdout(lite0, capsys):
    embed_frames(numbered_clip(3, 32, 32), lite0, batch_size=1, progress=True)
    captured = capsys.readouterr()
    assert "3/3 batches" in captured.out
    assert captured.err == ""


@pytest.mark.parametrize("bad, error", [(2.5, TypeError), (True, TypeError), ("4", TypeError), (0, ValueError)])
def test_batch_size_follows_the_course_wide_rule_for_counts(lite0, bad, error):
    with pytest.raises(error, match="batch_size"):
        embed_frames(numbered_clip(3, 32, 32), lite0, batch_size=bad)


def test_counts_given_as_numpy_integers_are_accepted(lite0):
    clip = numbered_clip(4, 32, 32)
    np.testing.assert_allclose(embed_frames(clip, lite0, batch_size=np.int64(2)), embed_frames(clip, lite0),
                               rtol=1e-4, atol=1e-5)
    assert video_embedding(clip, lite0, num_frames=np.int64(2)).shape == (1280,)
    with pytest.raises(TypeError, match="num_frames as an integer"):
        video_embedding(clip, lite0, num_frames=2.0)


# ---------------------------------------------------------------- the book's numbers

@pytest.mark.book_reference
@pytest.mark.skipif(not is_available("resnet50"),
                    reason="ResNet50 weights are not in torch's hub cache; run `course prefetch` while online")
def test_book_video_similarities_with_resnet50():
    from course_utils.video.clips import book_clips

    encoder = load_image_encoder("resnet50", device="cpu", download=False)
    clips = book_clips()
    emb = {name: embed_frames(clip, encoder, resize=False).mean(axis=0) for name, clip in clips.items()}
    # The book's printed values (section 5.3)
    assert cosine_similarity(emb["running"], emb["jogging"]) == pytest.approx(0.995, abs=0.005)
    assert cosine_similarity(emb["running"], emb["cooking"]) == pytest.approx(0.807, abs=0.005)
    assert cosine_similarity(emb["jogging"], emb["cooking"]) == pytest.approx(0.808, abs=0.005)


def test_write_video_is_reproducible_byte_for_byte(tmp_path):
    from course_utils.video.clips import moving_ball

    clip = moving_ball(60, "up", height=48, width=48)
    a = write_video(tmp_path / "a.mp4", clip, fps=25).read_bytes()
    b = write_video(tmp_path / "b.mp4", clip, fps=25).read_bytes()
    assert a == b
