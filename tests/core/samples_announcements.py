"""Sample values for the placeholders of core/catalogue/announcements.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {"read": 2}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = {"ann_btn_open"}
