"""Sample values for the placeholders of core/catalogue/reports.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {
    "period": "tháng 11/2026",
    "end": "30/11/2026",
    "years": 3,
    "reachable": 28,
    "rate": "86%",
    "asked": 30,
    "raised": 5,
    "contacted": 3,
    "open": 2,
    "on_time": 4,
    "judged": 5,
    "from_month": "12/2025",
    "to_month": "11/2026",
}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = {
    "report_span_range",
    "report_sheet_duties",
    "rcol_no",
    "rv_present",
    "rv_excused",
    "rv_absent",
    "rv_sc_not_asked",
}
