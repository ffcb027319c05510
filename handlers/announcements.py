"""Announcements to the whole cell (/thongbao) with «Đã đọc»."""

from __future__ import annotations

from core.router import Router


def register(router: Router) -> None:
    """Commands, buttons and flows of /thongbao."""
