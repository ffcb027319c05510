"""Sample values for the placeholders of core/catalogue/data.py (merged in test_texts)."""

SAMPLES: dict[str, object] = {
    "percent": 42,
    "rows": 184_000,
    "seconds": "3.1",
    "table": "selfcheck_answers",
    "dump": "pg_dump --format=custom --file chibo.dump 'postgresql://chibo:***@db/chibo'",
    "restore": "pg_restore --clean --if-exists --dbname 'postgresql://chibo:***@db/chibo' x",
    "target": "data/chibo.db",
    "keep": "data/chibo.db.before-restore-20261127T233000Z",
}
# Entries of that catalogue that need no diacritics (layout only).
NO_DIACRITICS_NEEDED: set[str] = {"cli_backup_table"}
