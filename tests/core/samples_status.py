"""Sample values for the placeholders of core/catalogue/status.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {
    "active": 30,
    "not_activated": 6,
    "unanswered": 7,
    "going": 5,
    "not_started": 4,
    "overdue": 2,
    "days": 7,
    "soon": 1,
    "members": 2,
    "labels": "11/2026, quý IV/2026",
}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = {
    "status_list_duty_overdue",
    "status_section",
}
