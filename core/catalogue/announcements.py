"""Texts for announcements to the whole cell (/thongbao) with «Đã đọc»."""

TEXTS: dict[str, str] = {}
