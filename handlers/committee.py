"""The committee roll-up (/tonghop) and the KT/GS model programme (/mohinh)."""

from __future__ import annotations

from core.router import Router


def register(router: Router) -> None:
    """Commands, buttons and flows of /tonghop and /mohinh."""
