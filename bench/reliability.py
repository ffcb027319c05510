"""`make reliability`: run every reliability check, slow ones included, and write the table.

The checks are ordinary pytest tests (tests/reliability/ and the few older checks listed in
EXTRA) that record what they measured with the `figure` fixture (tests/conftest.py). This
runs them with --full, collects the figures and rewrites docs/RELIABILITY.md's results
section: each promise, the command that checks it, the figure from this run and the verdict.
The exit status is pytest's, so a broken promise fails `make reliability`.

    .venv/bin/python -m bench.reliability [--sqlite-only] [-k EXPR] [--no-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.delivery import command_line, machine, revision

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "RELIABILITY.md"
BEGIN = "<!-- reliability results: written by bench/reliability.py -->"
END = "<!-- end of reliability results -->"

# Checks of issue 7's promises that live beside the features they check.
EXTRA = [
    "tests/jobs/test_delivery_faults.py",
    "tests/e2e/test_webhook.py",
    "tests/channels/test_zalo_webhook.py",
    "tests/db/test_database.py",
    "tests/services/test_forgetting.py",
    "tests/jobs/test_claim_concurrency.py",
    "tests/jobs/test_ticks_in_two_processes.py",
    "tests/services/test_capacity.py",
]


def pytest_command(args: argparse.Namespace, figures: Path) -> tuple[list[str], dict[str, str]]:
    cmd = [sys.executable, "-m", "pytest", "-q", "--full", "-p", "no:cacheprovider"]
    cmd += ["tests/reliability", *EXTRA]
    if args.k:
        cmd += ["-k", args.k]
    env = dict(os.environ, CHIBO_RELIABILITY_FIGURES=str(figures))
    if args.sqlite_only:
        env["CHIBO_TEST_POSTGRES_URL"] = ""
        cmd += ["-m", "not postgres"]
    return cmd, env


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[dict[str, object]]) -> list[str]:
    lines = [
        "| Promise | Checked by | Figure from this run | Result |",
        "|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: str(r["nodeid"])):
        nodeid = str(row["nodeid"])
        command = f"`pytest --full '{nodeid}'`"
        verdict = "met" if row["outcome"] == "passed" else f"**{row['outcome']}**"
        lines.append(
            f"| {cell(str(row['promise']))} | {command} | {cell(str(row['figure']))} "
            f"| {verdict} ({row['seconds']} s) |"
        )
    return lines


def section(rows: list[dict[str, object]], status: int, seconds: float, command: str) -> str:
    box = machine()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    overall = "all promises met" if status == 0 else f"**pytest exit status {status}**"
    lines = [
        BEGIN,
        f"Last run: {when}, {revision()}, `{command}`, {seconds / 60:.1f} min, {overall}.",
        f"Machine: {box['nproc']} × {box['cpu']}, {box['python']}, {box['os']}.",
        "",
        *table(rows),
        END,
    ]
    return "\n".join(lines)


def write_docs(text: str) -> None:
    old = DOC.read_text() if DOC.exists() else f"# Reliability\n\n{BEGIN}\n{END}\n"
    if BEGIN not in old or END not in old:
        old = old.rstrip() + f"\n\n## Results\n\n{BEGIN}\n{END}\n"
    head, rest = old.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + text + tail)


def main(argv: list[str] | None = None) -> None:
    given = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__)
    parser.add_argument("--sqlite-only", action="store_true", help="leave PostgreSQL out")
    parser.add_argument("-k", help="only the checks matching this pytest -k expression")
    parser.add_argument("--no-docs", action="store_true", help="print, do not touch docs/")
    args = parser.parse_args(given)
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.json"
        cmd, env = pytest_command(args, figures)
        started = time.monotonic()
        status = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
        seconds = time.monotonic() - started
        rows = json.loads(figures.read_text()) if figures.exists() else []
    text = section(rows, status, seconds, command_line("bench.reliability", given))
    print(text)
    if not args.no_docs and not args.k:
        write_docs(text)
        print(f"\nwritten to {DOC.relative_to(ROOT)}")
    sys.exit(status)


if __name__ == "__main__":
    main()
