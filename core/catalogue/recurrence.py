"""Texts for recurrence rules (see core.recurrence)."""

TEXTS: dict[str, str] = {}
