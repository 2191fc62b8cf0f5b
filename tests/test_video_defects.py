"""Regression tests for video files from the wild (issue 10): MPEG-TS, damaged and truncated files,
phone videos stored sideways, and fractional frame rates."""

from __future__ import annotations

import warnings
from fractions import Fraction

import av
import numpy as np
import pytest

from course_utils.video import frame_indices, probe_video, sample_frames, write_video

STEP = 16  # colour step that writes a frame's index into its pixels (survives lossy coding)


def numbered_clip(n: int, height: int = 32, width: int = 48) -> np.ndarray:
    """Solid frames whose colour encodes their index: R = low 4 bits, G = high bits."""
    return np.stack([
        np.full((height, width, 3), [(i % 16) * STEP + 8, (i // 16) * STEP + 8, 128], np.uint8)
        for i in range(n)
    ])


def frame_numbers(frames: np.ndarray) -> list[int]:
    """Read back the index written by numbered_clip."""
    mean = frames.reshape(len(frames), -1, 3).mean(axis=1)
    return (np.floor(mean[:, 0] / STEP) + 16 * np.floor(mean[:, 1] / STEP)).astype(int).tolist()


def centres(n: int, k: int) -> list[int]:
    """The frame on screen at the centre of each of k equal slices of n frames, worked out here."""
    return [int((i + 0.5) * n / k) for i in range(k)]


# ---------------------------------------------------------------- 1. MPEG-TS

def write_ts(path, clip: np.ndarray, fps: int = 24, gop_size: int = 12, first_frame: int = 0):
    """H.264 in MPEG-TS written with PyAV itself, as a camera or an HLS packager would write it."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = clip.shape[2], clip.shape[1], "yuv420p"
        stream.codec_context.gop_size = gop_size
        for i, image in enumerate(clip):
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = first_frame + i, Fraction(1, fps)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.mark.parametrize("suffix", [".ts", ".mts", ".m2ts"])
def test_mpeg_ts_with_keyframe_intervals_is_sampled_by_default(tmp_path, suffix):
    path = write_ts(tmp_path / f"clip{suffix}", numbered_clip(61))
    with av.open(str(path)) as container:
        keyframes = [p.is_keyframe for p in container.demux(video=0) if p.size]
    assert 1 < sum(keyframes) < len(keyframes)  # a real GOP: seeking has to find keyframes
    frames = sample_frames(path, 8)  # used to raise "no frame is on screen at 0.330 s"
    assert frame_numbers(frames) == centres(61, 8)
    np.testing.assert_array_equal(frames, sample_frames(path, 8, method="decode"))


@pytest.mark.parametrize("k", [1, 3, 40, 200])
def test_hls_segment_starting_at_ten_seconds_gives_the_same_frames_as_decoding(tmp_path, k):
    path = write_ts(tmp_path / "segment_3.ts", numbered_clip(61), first_frame=240)  # 240 frames = 10 s in
    frames = sample_frames(path, k)
    assert frame_numbers(frames) == centres(61, k)
    np.testing.assert_array_equal(frames, sample_frames(path, k, method="decode"))


# ---------------------------------------------------------------- 7. damaged and truncated files

def with_noise_in_frame(path, frame: int, out):
    """Copy ``path`` to ``out`` with the middle half of one frame's packet (display order) replaced by noise."""
    with av.open(str(path)) as container:
        packets = sorted((p.pts, p.pos, p.size) for p in container.demux(video=0) if p.size)
    _, pos, size = packets[frame]
    data = bytearray(path.read_bytes())
    noise = np.random.default_rng(1).integers(0, 256, size // 2, dtype=np.uint8).tobytes()
    data[pos + size // 4: pos + size // 4 + len(noise)] = noise
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("name, codec", [("clip.avi", "mjpeg"), ("clip.mkv", "libvpx-vp9")])
def test_undecodable_bytes_inside_a_sampled_frame_raise_one_clear_value_error(tmp_path, name, codec):
    clean = write_video(tmp_path / name, numbered_clip(40, 64, 64), fps=20, codec=codec, gop_size=5)
    damaged = with_noise_in_frame(clean, int(frame_indices(40, 8)[3]), tmp_path / f"damaged_{name}")
    calls = [lambda: sample_frames(damaged, 8), lambda: sample_frames(damaged, 8, method="decode")]
    for call in calls:
        with pytest.raises(ValueError, match=f"damaged_{name} is damaged: FFmpeg could not decode") as excinfo:
            call()
        assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__  # raised from None
        assert not isinstance(excinfo.value, av.FFmpegError)


@pytest.mark.parametrize("name", ["clip.webm", "clip.mkv"])
def test_truncated_file_warns_how_many_sampled_times_fall_past_its_last_frame(tmp_path, name):
    full = write_video(tmp_path / name, numbered_clip(60), fps=20, gop_size=6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert frame_numbers(sample_frames(full, 8)) == centres(60, 8)  # the whole file: no warning
    cut = tmp_path / f"half_{name}"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    with av.open(str(cut)) as container:  # what still decodes, read with PyAV directly
        last = max(frame_numbers(np.stack([f.to_ndarray(format="rgb24") for f in container.decode(video=0)])))
    wanted = [(i + 0.5) * 60 / 8 for i in range(8)]  # sampled times, in frames
    past = sum(t >= last + 1 for t in wanted)  # frame `last` leaves the screen at time last + 1
    assert 0 < past < 8
    for method in ("seek", "decode"):
        with pytest.warns(UserWarning, match=f"half_{name} looks truncated.*: {past} of the 8 sampled times lie"):
            frames = sample_frames(cut, 8, method=method)
        assert frame_numbers(frames) == [min(int(t), last) for t in wanted]


# ---------------------------------------------------------------- 8. orientation

def write_phone_video(path, image: np.ndarray, degrees: int, hflip: bool = False):
    """An mp4 storing ``image`` as is, with a display matrix saying "rotate by ``degrees``" (as phones do)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = image.shape[1], image.shape[0], "yuv444p"
        stream.set_display_rotation(degrees, hflip=hflip)
        for _ in range(6):
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def landscape_picture() -> np.ndarray:
    """32 x 48, grey, with a red band along the top and a green band down the left side."""
    image = np.full((32, 48, 3), 128, np.uint8)
    image[:8] = (255, 0, 0)
    image[:, :8] = (0, 255, 0)
    return image


needs_display_rotation = pytest.mark.skipif(
    not hasattr(av.video.stream.VideoStream, "set_display_rotation"),
    reason="this PyAV cannot write a display matrix (VideoStream.set_display_rotation is newer)",
)


@needs_display_rotation
def test_phone_video_with_a_minus_90_degree_display_matrix_is_sampled_upright(tmp_path):
    path = write_phone_video(tmp_path / "phone.mp4", landscape_picture(), -90)
    frames = sample_frames(path, 4)
    assert frames.shape == (4, 48, 32, 3)  # portrait, as players show it
    # -90 degrees is a quarter turn clockwise: the top edge goes to the right, the left edge to the top.
    assert frames[0, 10:, -6:].mean(axis=(0, 1)).round().tolist() == pytest.approx([255, 0, 0], abs=8)
    assert frames[0, :6, :].mean(axis=(0, 1)).round().tolist() == pytest.approx([0, 255, 0], abs=8)
    info = probe_video(path)
    assert (info.width, info.height, info.rotation, info.mirrored) == (32, 48, -90, False)


@needs_display_rotation
@pytest.mark.parametrize("degrees, hflip", [(-90, False), (90, False), (180, False), (0, True), (-90, True)])
def test_display_rotation_and_mirror_are_applied_as_pyav_defines_them(tmp_path, degrees, hflip):
    image = landscape_picture()
    path = write_phone_video(tmp_path / "turned.mp4", image, degrees, hflip)
    # PyAV's set_display_rotation: turn counter-clockwise by `degrees`, then mirror left-right.
    expected = np.rot90(image, degrees // 90)
    expected = expected[:, ::-1] if hflip else expected
    for frames in (sample_frames(path, 3), sample_frames(path, 3, method="decode")):
        assert frames.shape[1:] == expected.shape
        assert np.abs(frames.astype(int) - expected).max() <= 8  # lossy coding, nothing more
    info = probe_video(path)
    assert (info.height, info.width, info.mirrored) == (*expected.shape[:2], hflip)


# ---------------------------------------------------------------- 10. writing: frame rates, codecs, extensions

def test_write_video_stores_29_97_fps_as_the_ntsc_rate(tmp_path):
    path = write_video(tmp_path / "ntsc.mp4", numbered_clip(30), fps=29.97)  # raised OverflowError before
    info = probe_video(path)
    assert info.fps == pytest.approx(30000 / 1001, abs=1e-9)
    assert info.duration == pytest.approx(30 * 1001 / 30000, abs=1e-3)
    assert frame_numbers(sample_frames(path, 5)) == centres(30, 5)


@pytest.mark.parametrize("fps, expected", [(12.5, 12.5), (Fraction(24000, 1001), 24000 / 1001), (np.float32(10), 10.0)])
def test_write_video_accepts_fractional_frame_rates(tmp_path, fps, expected):
    path = write_video(tmp_path / "clip.mkv", numbered_clip(10), fps=fps)
    assert probe_video(path).fps == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "fps, error, message",
    [
        (None, TypeError, "expected fps as a number, got None"),
        ("25", TypeError, "expected fps as a number"),
        (True, TypeError, "expected fps as a number"),
        (float("nan"), ValueError, "fps.*(finite|NaN)"),
        (float("inf"), ValueError, "fps.*(finite|NaN)"),
        (0, ValueError, "expected fps > 0"),
        (-25, ValueError, "expected fps > 0"),
    ],
)
def test_write_video_rejects_an_fps_that_is_not_a_positive_finite_number(tmp_path, fps, error, message):
    with pytest.raises(error, match=message):
        write_video(tmp_path / "clip.mp4", numbered_clip(3), fps=fps)
    assert not (tmp_path / "clip.mp4").exists()


def test_unknown_codec_or_extension_raises_a_sentence_naming_the_supported_ones(tmp_path):
    clip = numbered_clip(3)
    with pytest.raises(ValueError, match="unsupported video codec 'h265x'; use one of libx264, libvpx-vp9, libvpx"):
        write_video(tmp_path / "a.mp4", clip, codec="h265x")
    with pytest.raises(ValueError, match=r"video extension \(\.avi, \.mkv, \.mov, \.mp4, \.webm\), got one with '\.gif'"):
        write_video(tmp_path / "a.gif", clip, codec="libx264")
    with pytest.raises(TypeError, match="expected codec as a string"):
        write_video(tmp_path / "a.mp4", clip, codec=264)


def test_codec_the_container_cannot_hold_raises_clearly_and_leaves_no_file(tmp_path):
    with pytest.raises(ValueError, match=r"could not write mpeg4 video .* into a \.webm file") as excinfo:
        write_video(tmp_path / "a.webm", numbered_clip(3), codec="mpeg4")
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    assert not (tmp_path / "a.webm").exists()


def test_motion_jpeg_avi_round_trips(tmp_path):
    # mjpeg needs full-range YUV; it used to fail inside avcodec_open2
    path = write_video(tmp_path / "clip.avi", numbered_clip(12), fps=12, codec="mjpeg")
    assert frame_numbers(sample_frames(path, 12)) == list(range(12))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"gop_size": 2.5}, TypeError, "expected gop_size as an integer"),
        ({"gop_size": 0}, ValueError, "expected gop_size >= 1"),
    ],
)
def test_write_video_rejects_bad_gop_sizes(tmp_path, kwargs, error, message):
    with pytest.raises(error, match=message):
        write_video(tmp_path / "clip.mp4", numbered_clip(3), **kwargs)


# ---------------------------------------------------------------- issue 15, defect 10: memory bounds

def test_frame_indices_refuse_a_count_that_would_allocate_gigabytes():
    with pytest.raises(ValueError, match=r"expected k <= 10000"):
        frame_indices(100, 10**9)
    assert frame_indices(10**9, 4).tolist() == [125_000_000, 375_000_000, 625_000_000, 875_000_000]


def test_sample_frames_refuses_a_sample_too_big_for_memory_before_decoding(tmp_path):
    # 10 000 frames of 640 x 480 would take 9.2 GB: refused from the header, without decoding the file
    path = write_video(tmp_path / "vga.mp4", np.zeros((5, 480, 640, 3), np.uint8), fps=25)
    with pytest.raises(ValueError, match=r"10000 sampled frames of vga\.mp4 .* about 8\.6 GB, above the 2 GB limit; "
                                         r"sample fewer frames with sample_frames"):
        sample_frames(path, 10_000)
    with pytest.raises(ValueError, match=r"expected num_frames <= 10000"):
        sample_frames(path, 10**6)

