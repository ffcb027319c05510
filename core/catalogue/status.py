"""Texts for secretary status (/tinhhinh) and nudges (/nhacnho)."""

TEXTS: dict[str, str] = {}
