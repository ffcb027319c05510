"""Texts for reports (/baocao, `chibo report`): the xlsx workbook and the 12-month chart."""

TEXTS: dict[str, str] = {}
