"""`chibo doctor`: check the installation (settings, database, tokens, webhooks) and say
what to fix; `--quick` is the container's health check."""

from __future__ import annotations

import sys

import click

from bot.cli import _run, main
from bot.settings import SettingsError, load_settings


@main.command("doctor")
@click.option(
    "--quick",
    is_flag=True,
    help=(
        "Health check only: the running bot's /health when it has a web server (webhook "
        "mode or PUBLIC_BASE_URL), else the database and its schema. No platform calls."
    ),
)
def doctor_command(quick: bool) -> None:
    """Check settings, database, schema, tokens (getMe) and webhooks; exit 1 on a failure."""
    from bot import doctor

    try:
        settings = load_settings()
    except SettingsError as exc:
        findings = doctor.settings_failed(str(exc))
    else:
        findings = _run(lambda: doctor.quick(settings) if quick else doctor.diagnose(settings))
    for line in doctor.render(findings, title=not quick):
        click.echo(line)
    sys.exit(1 if doctor.failed(findings) else 0)
