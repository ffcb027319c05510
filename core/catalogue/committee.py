"""Texts for the committee roll-up (/tonghop) and the KT/GS model programme (/mohinh)."""

TEXTS: dict[str, str] = {}
