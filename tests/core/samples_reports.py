"""Sample values for the placeholders of core/catalogue/reports.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = set()
