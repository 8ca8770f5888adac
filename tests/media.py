"""Real media made in memory for tests."""

import io

from PIL import Image


def jpeg_bytes(width: int = 64, height: int = 48, color: str = "navy") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()
