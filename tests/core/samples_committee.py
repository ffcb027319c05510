"""Sample values for the placeholders of core/catalogue/committee.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {
    "unit": "Đảng ủy xã Tân Phú",
    "month": "11/2026",
    "total": 263,
    "registered": 111,
    "idle": 12,
    "held": 150,
    "rate": "87%",
    "period": "11/2026",
    "done": 120,
    "due": 150,
    "overdue": 3,
    "first": 1,
    "last": 10,
    "problems": "chưa kích hoạt; chưa sinh hoạt tháng này",
    "span": "từ 01/11/2026 đến 30/11/2026",
    "year": 2026,
    "cell": "Chi bộ Ấp Một",
    "resolution": "15/01/2026",
    "note": "Thực hiện tốt kế hoạch kiểm tra, giám sát",
    "items": "khen thưởng 3, công nhận 20",
    "outcome": "công nhận",
    "regular": 11,
    "expected": 48,
    "body": "đảng ủy xã, phường",
}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = {
    "rollup_xlsx_h_stt",
    "rollup_help_item",
    "programme_cell_button",
    "programme_cell_button_outcome",
    "programme_outcome_count",
    "cli_programme_row",
}
