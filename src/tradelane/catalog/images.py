"""Uploaded product and SKU pictures: what is accepted (PNG, JPEG, GIF, WebP, a size limit,
a pixel limit; the bytes must decode as the format they claim) and what content type each
is served with."""

from __future__ import annotations

import io

from django.conf import settings

from tradelane.core.errors import ValidationFailed

MB = 1024 * 1024
MAX_PIXELS = 40_000_000  # a 8000 x 5000 photo; more is a decompression bomb, not a product shot
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


def max_bytes() -> int:
    return int(getattr(settings, "CATALOG_IMAGE_MAX_MB", 5) * MB)


def _invalid() -> ValidationFailed:
    return ValidationFailed(
        "The file is not a PNG, JPEG, GIF or WebP image", code="invalid_image",
        details={"field": "image"},
    )  # fmt: skip


def check(data: bytes) -> str:
    """The file extension for ``data`` if it is an image we accept; refuses anything else."""
    from PIL import Image, UnidentifiedImageError

    limit = max_bytes()
    if len(data) > limit:
        raise ValidationFailed(
            f"The image is larger than {limit / MB:g} MB", code="image_too_large",
            details={"field": "image", "limit_mb": f"{limit / MB:g}"},
        )  # fmt: skip
    if not data:
        raise _invalid()
    try:
        with Image.open(io.BytesIO(data)) as img:
            kind = FORMATS.get(img.format or "")
            width, height = img.size
            if kind is None or width * height > MAX_PIXELS:
                raise _invalid()
            img.verify()  # the structure and checksums, without decoding every pixel
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise _invalid() from None
    return kind


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
