"""Secretary status (/tinhhinh) and nudges (/nhacnho)."""

from __future__ import annotations

from core.router import Router


def register(router: Router) -> None:
    """Commands, buttons and flows of /tinhhinh (alias /status) and /nhacnho."""
