"""Printable QR codes for invite links."""

from __future__ import annotations

import io

import segno


def qr_png(text: str, *, scale: int = 10) -> bytes:
    """A PNG QR code of `text`, large enough to print on A5 and scan from a phone."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
