"""Reports (/baocao, `chibo report`): the xlsx workbook and the 12-month chart."""

from __future__ import annotations

from core.router import Router


def register(router: Router) -> None:
    """Commands, buttons and flows of /baocao."""
