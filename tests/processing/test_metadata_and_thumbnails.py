"""Metadata and thumbnails from real files: sizes, orientation, format, location stripped."""

import io

import pytest
from PIL import ExifTags, Image

from library.processing import ProcessingFailed, metadata, thumbnails

from .media import colour_change_mp4, image_bytes, pattern_video


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _is(colour: tuple[int, int, int], expected: str) -> bool:
    wanted = {"red": (255, 0, 0), "blue": (0, 0, 255)}[expected]
    return all(abs(a - b) < 40 for a, b in zip(colour, wanted, strict=True))


def test_video_metadata_reads_size_duration_codecs_rate_and_bit_rate(tmp_path):
    path = colour_change_mp4(tmp_path / "clip.mp4", total_seconds=3, size="320x240", rate=25)
    info = metadata.video_metadata(str(path))
    assert (info.width, info.height) == (320, 240)
    assert info.duration == pytest.approx(3.0, abs=0.1)
    assert (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert info.frame_rate == 25
    assert info.bit_rate and info.bit_rate > 0
    assert "mp4" in info.container.split(",")


def test_truncated_mp4_is_refused_with_ffmpegs_reason(tmp_path):
    whole = colour_change_mp4(tmp_path / "clip.mp4").read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(ProcessingFailed) as error:
        metadata.video_metadata(str(cut))
    assert "could not read the video" in error.value.message


def test_image_metadata_reports_displayed_size_for_rotated_photos(tmp_path):
    path = tmp_path / "phone.jpg"
    path.write_bytes(image_bytes(400, 200, orientation=6))
    info = metadata.image_metadata(str(path))
    assert (info.width, info.height, info.container) == (200, 400, "JPEG")


def test_image_metadata_refuses_a_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "fake.jpg"
    path.write_bytes(b"not a picture at all")
    with pytest.raises(ProcessingFailed, match="not an image"):
        metadata.image_metadata(str(path))


def test_image_thumbnail_fits_the_box_is_jpeg_and_is_turned_upright(tmp_path):
    # Stored 400x200, left red, right blue; orientation 6 shows it turned 90° clockwise:
    # 200x400 with red on top and blue below.
    source = io.BytesIO(image_bytes(400, 200, orientation=6))
    thumb = _open(thumbnails.image_renditions(source)[0])
    assert thumb.format == "JPEG"
    assert thumb.size == (150, 300)
    assert _is(thumb.getpixel((75, 20)), "red")
    assert _is(thumb.getpixel((75, 280)), "blue")


def test_renditions_drop_gps_exif_and_xmp_but_the_original_keeps_them():
    original = image_bytes(3000, 2000, gps=True, orientation=1)
    assert _open(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the test image has GPS
    thumb, (display, size) = thumbnails.image_renditions(io.BytesIO(original))
    for data in (thumb, display):
        image = _open(data)
        assert "exif" not in image.info and "xmp" not in image.info
        assert not image.getexif()
        assert b"GPS" not in data and b"Exif" not in data
    assert size == (1280, 853)
    assert _open(display).size == (1280, 853)
    assert _open(thumb).size == (400, 267)


def test_display_rendition_longest_side_is_1280_for_portrait_photos():
    thumb, (display, size) = thumbnails.image_renditions(io.BytesIO(image_bytes(2000, 3000)))
    assert size == (853, 1280)
    assert _open(display).size == (853, 1280)
    assert _open(thumb).size == (200, 300)


def test_transparent_png_thumbnail_is_flattened_on_white():
    png = image_bytes(300, 300, fmt="PNG", mode="RGBA", halves=((0, 0, 0, 0), "blue"))
    thumb = _open(thumbnails.image_renditions(io.BytesIO(png))[0])
    assert thumb.format == "JPEG" and thumb.mode == "RGB"
    assert thumb.getpixel((10, 150)) >= (245, 245, 245)


def test_video_thumbnail_is_the_frame_at_one_second_400x300_jpeg(tmp_path):
    path = colour_change_mp4(tmp_path / "clip.mp4", first="red", then="blue", first_seconds=1.0)
    _, data, is_placeholder = thumbnails.video_thumbnail_and_metadata(str(path), title="x")
    image = _open(data)
    assert not is_placeholder
    assert (image.format, image.size) == ("JPEG", (400, 300))
    assert _is(image.getpixel((200, 150)), "blue")  # after the 1 s mark: blue


def test_clips_shorter_than_a_second_use_their_first_frame(tmp_path):
    # Red for 0.3 s, then blue: seeking past the end must not give the last (blue) frame.
    path = colour_change_mp4(tmp_path / "short.mp4", first_seconds=0.3, total_seconds=0.6)
    _, data, is_placeholder = thumbnails.video_thumbnail_and_metadata(str(path), title="x")
    image = _open(data)
    assert not is_placeholder
    assert image.size == (400, 300)
    assert _is(image.getpixel((200, 150)), "red")


def test_portrait_video_is_letterboxed_into_400x300(tmp_path):
    path = pattern_video(tmp_path / "tall.mp4", size="180x320", seconds=2)
    _, data, is_placeholder = thumbnails.video_thumbnail_and_metadata(str(path), title="x")
    image = _open(data)
    assert image.size == (400, 300) and not is_placeholder
    assert max(image.getpixel((5, 150))) < 30  # black bars at the sides


def test_metadata_comes_from_the_same_ffmpeg_run_as_the_frame(tmp_path):
    path = colour_change_mp4(tmp_path / "clip.mp4", total_seconds=2, size="640x360", rate=30)
    details, data, is_placeholder = thumbnails.video_thumbnail_and_metadata(str(path), title="x")
    assert not is_placeholder and _open(data).size == (400, 300)
    assert (details.width, details.height, details.frame_rate) == (640, 360, 30)
    assert (details.video_codec, details.audio_codec) == ("h264", "aac")
    assert details.duration == pytest.approx(2.0, abs=0.1)


def test_a_frame_that_times_out_gives_the_placeholder_but_keeps_the_metadata(tmp_path, monkeypatch):
    from library.processing import ffmpeg

    path = colour_change_mp4(tmp_path / "clip.mp4")
    monkeypatch.setattr(ffmpeg, "FRAME_TIMEOUT_SECONDS", 0.000001)
    monkeypatch.setattr(
        ffmpeg.frame_and_info, "__kwdefaults__", {"quality": 5, "timeout": 0.000001}
    )
    details, data, is_placeholder = thumbnails.video_thumbnail_and_metadata(str(path), title="x")
    assert is_placeholder and _open(data).size == (300, 200)
    assert details.video_codec == "h264"


def test_unreadable_video_gets_the_placeholder(tmp_path):
    path = tmp_path / "broken.mp4"
    path.write_bytes(b"\x00" * 5000)
    with pytest.raises(ProcessingFailed):
        thumbnails.video_thumbnail_and_metadata(str(path), title="Broken")
