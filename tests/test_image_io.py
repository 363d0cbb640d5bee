"""Decoding: every odd format is made on the fly from a real photo and must come out upright RGB."""

import io
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from animal_verifier.vision.image_io import ImageError, load_image

PHOTOS = Path(__file__).resolve().parents[1] / "assets" / "photos"
CAT = PHOTOS / "cat_gcompris.jpg"


@pytest.fixture(scope="module")
def cat() -> Image.Image:
    image = Image.open(CAT)
    image.load()
    return image


def _encode(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _close(a: Image.Image, b: Image.Image, tolerance: float = 8.0) -> bool:
    return a.size == b.size and float(np.abs(np.asarray(a, float) - np.asarray(b, float)).mean()) < tolerance


def test_path_str_bytes_file_and_pil_give_the_same_rgb_image(cat):
    from_path = load_image(CAT)
    assert from_path.mode == "RGB" and from_path.size == cat.size
    for source in (str(CAT), CAT.read_bytes(), io.BytesIO(CAT.read_bytes()), cat, bytearray(CAT.read_bytes())):
        assert np.array_equal(np.asarray(load_image(source)), np.asarray(from_path))


def test_real_grayscale_photo_becomes_rgb():
    image = load_image(PHOTOS / "camera_skimage.jpg")
    pixels = np.asarray(image)
    assert image.mode == "RGB" and np.array_equal(pixels[..., 0], pixels[..., 2])


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(cat, orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    # The camera stored the pixels turned; the tag says how to turn them back.
    stored = cat.transpose(
        {3: Image.Transpose.ROTATE_180, 6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}[orientation]
    )
    loaded = load_image(_encode(stored, "JPEG", quality=95, exif=exif))
    assert _close(loaded, cat)


def test_broken_exif_is_ignored(cat):
    data = _encode(cat, "JPEG", quality=90, exif=b"Exif\x00\x00garbage-not-tiff")
    assert load_image(data).size == cat.size


def test_rgba_is_composited_on_white(cat):
    rgba = cat.convert("RGBA")
    alpha = np.full(cat.size[::-1], 255, np.uint8)
    alpha[:, : cat.width // 2] = 0  # left half fully transparent
    rgba.putalpha(Image.fromarray(alpha))
    loaded = np.asarray(load_image(_encode(rgba, "PNG")))
    assert (loaded[:, : cat.width // 2] == 255).all()
    assert np.array_equal(loaded[:, cat.width // 2 :], np.asarray(cat)[:, cat.width // 2 :])


def test_la_and_palette_with_transparency(cat):
    la = cat.convert("LA")
    assert load_image(_encode(la, "PNG")).mode == "RGB"
    palette = cat.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    palette.info["transparency"] = 0
    loaded = load_image(_encode(palette, "PNG", transparency=0))
    index0 = np.asarray(palette) == 0
    assert loaded.mode == "RGB" and (np.asarray(loaded)[index0] == 255).all()


def test_palette_without_transparency(cat):
    palette = cat.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    assert _close(load_image(_encode(palette, "PNG")), cat, tolerance=12)


def test_cmyk_jpeg(cat):
    loaded = load_image(_encode(cat.convert("CMYK"), "JPEG", quality=95))
    assert loaded.mode == "RGB" and _close(loaded, cat)


def test_16_bit_grayscale_is_scaled_not_clipped(cat):
    gray8 = np.asarray(cat.convert("L"), np.uint16)
    gray16 = Image.fromarray(gray8 * 257)  # full 16-bit range, mode I;16
    assert gray16.mode == "I;16"
    loaded = np.asarray(load_image(_encode(gray16, "PNG")))[..., 0].astype(int)
    assert np.abs(loaded - gray8).max() <= 1  # PIL's own convert would clip nearly everything to white


def test_32_bit_int_and_float_images(cat):
    gray8 = np.asarray(cat.convert("L"))
    as_int = Image.fromarray(gray8.astype(np.int32) * 257)
    assert as_int.mode == "I"
    assert np.abs(np.asarray(load_image(_encode(as_int, "TIFF")))[..., 0].astype(int) - gray8).max() <= 1
    as_float = Image.fromarray(gray8.astype(np.float32) / 255.0)
    assert as_float.mode == "F"
    assert np.abs(np.asarray(load_image(_encode(as_float, "TIFF")))[..., 0].astype(int) - gray8).max() <= 1


def test_animated_gif_first_frame(cat):
    red, blue = Image.new("RGB", (40, 30), (255, 0, 0)), Image.new("RGB", (40, 30), (0, 0, 255))
    data = _encode(red, "GIF", save_all=True, append_images=[blue], duration=100, loop=0)
    assert Image.open(io.BytesIO(data)).n_frames == 2
    pixels = np.asarray(load_image(data))
    assert pixels[..., 0].min() > 200 and pixels[..., 2].max() < 50


def test_webp(cat):
    assert _close(load_image(_encode(cat, "WEBP", quality=95)), cat)


def test_big_jpeg_is_draft_decoded_when_only_a_small_image_is_needed(cat):
    big = cat.resize((cat.width * 4, cat.height * 4))  # 2560 x 1660
    data = _encode(big, "JPEG", quality=85)
    assert load_image(data).size == big.size
    small = load_image(data, min_side=256)
    assert min(small.size) >= 256 and small.width <= big.width // 4
    assert small.size == (big.width // 4, big.height // 4)  # 1/4 scale keeps the shorter side >= 256


def test_pixel_limit(cat):
    with pytest.raises(ImageError, match="decompression bomb"):
        load_image(CAT, max_pixels=1000)
    assert load_image(CAT, max_pixels=cat.width * cat.height).size == cat.size


def test_pil_decompression_bomb_warning_and_error_become_image_errors(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # the cat has 265,600 pixels
    with pytest.raises(ImageError, match="decompression bomb"):  # PIL's error: more than 2x the limit
        load_image(CAT)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 200_000)
    with pytest.raises(ImageError, match="decompression bomb"):  # PIL's warning: over the limit
        load_image(CAT)


def test_truncated_jpeg():
    data = CAT.read_bytes()
    with pytest.raises(ImageError, match="truncated or corrupt") as error:
        load_image(data[: len(data) // 2])
    assert "bytes" in str(error.value)


def test_truncated_file_names_the_file(tmp_path):
    path = tmp_path / "half.jpg"
    path.write_bytes(CAT.read_bytes()[:5000])
    with pytest.raises(ImageError, match="half.jpg"):
        load_image(path)


def test_corrupt_png(cat):
    data = bytearray(_encode(cat, "PNG"))
    data[200:400] = bytes(200)  # zeroed compressed data
    with pytest.raises(ImageError, match="truncated or corrupt"):
        load_image(bytes(data))


def test_non_image_and_unreadable_paths(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("a cow in a field")
    with pytest.raises(ImageError, match=r"notes\.txt: not an image"):
        load_image(text)
    with pytest.raises(ImageError, match=r"missing\.jpg: cannot read the file"):
        load_image(tmp_path / "missing.jpg")
    with pytest.raises(ImageError, match="cannot read the file"):
        load_image(tmp_path)  # a directory
    with pytest.raises(ImageError, match="not an image source"):
        load_image(42)  # type: ignore[arg-type]
    with pytest.raises(ImageError, match="not an image"):
        load_image(b"")


def test_image_error_is_a_value_error():
    assert issubclass(ImageError, ValueError)


def test_image_error_keeps_the_reason_apart_from_the_name(tmp_path):
    data = CAT.read_bytes()[:5000]
    with pytest.raises(ImageError) as error:
        load_image(data)
    err = error.value
    assert err.source == f"<{len(data)} bytes>" and err.reason.startswith("truncated or corrupt image (")
    assert str(err) == f"{err.source}: {err.reason}"  # the message the CLI prints, unchanged
    copy = pickle.loads(pickle.dumps(err))  # e.g. raised in a worker process
    assert (copy.source, copy.reason, str(copy)) == (err.source, err.reason, str(err))
