"""Texts for typed dates and times (see core.vndates)."""

TEXTS: dict[str, str] = {}
