"""Imports point one way: bot → handlers, jobs, channels → core → db."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MESSENGER_AND_HTTP = {"telegram", "httpx", "aiohttp", "requests", "urllib3", "tornado"}
FORBIDDEN: dict[str, set[str]] = {
    "db": MESSENGER_AND_HTTP | {"core", "handlers", "jobs", "channels", "bot", "emulator"},
    "core": MESSENGER_AND_HTTP | {"handlers", "jobs", "channels", "bot", "emulator"},
    "handlers": MESSENGER_AND_HTTP | {"jobs", "channels", "bot", "emulator"},
    "jobs": MESSENGER_AND_HTTP | {"handlers", "channels", "bot", "emulator"},
    "channels": {"bot", "emulator", "jobs"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no modules"
    offenders = {
        str(f.relative_to(ROOT)): sorted(imported_roots(f) & FORBIDDEN[package]) for f in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import httpx\nfrom telegram.ext import Application\n", encoding="utf-8")
    assert imported_roots(sample) >= {"httpx", "telegram"}


def test_no_wall_clock_in_business_code() -> None:
    needles = ("datetime.now(", "datetime.utcnow(", "date.today(", "time.time(")
    hits = [
        f"{f.relative_to(ROOT)}: {needle}"
        for package in ("core", "handlers", "jobs", "db")
        for f in (ROOT / package).rglob("*.py")
        for needle in needles
        if needle in f.read_text(encoding="utf-8")
    ]
    assert hits == []
