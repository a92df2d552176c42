"""Check-in photos: size-limited, re-encoded so no EXIF (GPS position, phone model) survives."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from services.hazards.domain.exceptions import FileTooLarge, InvalidCheckIn

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PIXELS = 40_000_000  # a phone photo is ~12-50 MP; more is a decompression bomb


def clean_photo(data: bytes, max_bytes: int) -> tuple[bytes, str]:
    """Return the photo re-encoded without metadata, and its content type."""
    if len(data) > max_bytes:
        raise FileTooLarge(f"photo is {len(data)} bytes (limit {max_bytes})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            fmt = opened.format or ""
            if fmt not in FORMATS:
                raise InvalidCheckIn("photo", f"format {fmt or 'unknown'} is not JPEG, PNG or WEBP")
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidCheckIn("photo",
                                     f"{opened.width}x{opened.height} pixels is too large")
            img = ImageOps.exif_transpose(opened)  # keep the orientation, then drop all EXIF
            out = io.BytesIO()
            if fmt == "JPEG":
                img.convert("RGB").save(out, "JPEG", quality=85)
            else:
                img.save(out, fmt)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        raise InvalidCheckIn("photo", f"not a readable image: {exc}") from exc
    return out.getvalue(), FORMATS[fmt]
