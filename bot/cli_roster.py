"""`chibo unit|member|invite|role`: setting up cells and members from the terminal."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import click

from bot.cli import _run, _settings, main
from core.context import Services
from core.texts import local_date, t
from db.models import Role, UnitKind


@asynccontextmanager
async def operator_services() -> AsyncIterator[Services]:
    from bot.app import core_config
    from bot.clock import SystemClock
    from db.engine import Database
    from db.migrate import check_schema

    settings = _settings()
    database = Database(settings.database_url)
    try:
        await check_schema(database)
        yield Services(database, SystemClock(), core_config(settings))
    finally:
        await database.dispose()


# --- units ----------------------------------------------------------------------------------


@main.group()
def unit() -> None:
    """Units of the party tree: province/district, committee (đảng bộ), cell (chi bộ)."""


@unit.command("add")
@click.option("--kind", type=click.Choice([k.value for k in UnitKind]), required=True)
@click.option("--name", required=True, help='e.g. "Chi bộ Ấp Phú Hữu"')
@click.option("--parent", help="Code or id of the unit above.")
@click.option("--code", help="Short code used in other commands (made from the name if omitted).")
def unit_add(kind: str, name: str, parent: str | None, code: str | None) -> None:
    """Add a unit."""
    from core.units import add_unit

    async def go() -> None:
        async with operator_services() as services:
            added = await add_unit(
                services, kind=UnitKind(kind), name=name, parent=parent, code=code
            )
            click.echo(t("cli_unit_added", name=added.name, code=added.code))

    _run(go)


@unit.command("list")
def unit_list() -> None:
    """List every unit with its code."""
    from core.units import list_units

    async def go() -> None:
        async with operator_services() as services:
            for u in await list_units(services):
                click.echo(f"{u.id:>5}  {u.code:<28} {u.kind.value:<10} {u.name}")

    _run(go)


# --- members --------------------------------------------------------------------------------


@main.group()
def member() -> None:
    """The members of a cell."""


@member.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cell", required=True, help="Code or id of the cell.")
@click.option("--skip-bad", is_flag=True, help="Import the good rows even if some are bad.")
def member_import(file: Path, cell: str, skip_bad: bool) -> None:
    """Import a roster from FILE (.xlsx or .csv; header row "Họ và tên", ...)."""
    from core.members import import_rows
    from core.roster import RosterFileError, read_roster

    shown = [False]

    def progress(done: int) -> None:
        if sys.stderr.isatty() and done >= 1000:
            click.echo(f"\r… {done}", nl=False, err=True)
            shown[0] = True

    try:
        result = read_roster(file, progress=progress)
    except RosterFileError as exc:
        click.echo(t("cli_file_error", reason=t(f"roster_{exc.code}")), err=True)
        sys.exit(1)
    if shown[0]:
        click.echo("", err=True)
    if result.errors:
        heading = t(
            "cli_import_skipped_bad" if skip_bad else "cli_import_bad_rows",
            count=len({e.line for e in result.errors}),
        )
        click.echo(heading, err=True)
        for error in result.errors:
            reason = t(f"roster_{error.code}", **error.params())
            click.echo(t("cli_row_error", line=error.line, reason=reason), err=True)
        if not skip_bad:
            click.echo(t("cli_import_hint"), err=True)
            sys.exit(1)

    async def go() -> None:
        async with operator_services() as services:
            summary = await import_rows(services, cell, result.rows)
            click.echo(
                t("cli_import_ok", added=summary.added, cell=cell, skipped=summary.already_there)
            )

    _run(go)


@member.command("list")
@click.option("--cell", required=True, help="Code or id of the cell.")
def member_list(cell: str) -> None:
    """List a cell's members with their activation state."""
    from core.members import roster_of_cell

    async def go() -> None:
        async with operator_services() as services:
            roster = await roster_of_cell(services, cell)
            click.echo(t("roster_header", cell=roster.cell_name, total=len(roster.entries)))
            for e in roster.entries:
                roles = ", ".join(t(f"role_{r.value}") for r in sorted(e.roles))
                state = t(f"state_{e.activation.value}")
                click.echo(
                    t(
                        "cli_member_line",
                        id=e.member_id,
                        name=e.full_name,
                        state=state,
                        roles=roles,
                    )
                )

    _run(go)


# --- invites and roles ----------------------------------------------------------------------


@main.command()
@click.option("--cell", required=True, help="Code or id of the cell.")
@click.option("--member", "member_id", type=int, help="One-time code for this member id.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="member")
@click.option("--days", type=click.IntRange(1, 365), default=30, show_default=True)
@click.option("--uses", type=click.IntRange(1, 10000), help="Limit uses of a cell code.")
@click.option(
    "--qr",
    "qr_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a printable QR code PNG here.",
)
def invite(
    cell: str, member_id: int | None, role: str, days: int, uses: int | None, qr_path: Path | None
) -> None:
    """Make an invite code and link for a cell, or a one-time one for a member."""
    from core.inviting import operator_invite
    from core.qr import qr_png

    async def go() -> str:
        async with operator_services() as services:
            view = await operator_invite(
                services,
                cell_ref=cell,
                member_id=member_id,
                role=Role(role),
                days=days,
                uses=uses,
            )
            tz = services.config.timezone
            click.echo(
                t("cli_invite_code", code=view.shown_code, expires=local_date(view.expires_at, tz))
            )
            if view.member_name:
                click.echo(t("cli_invite_for", name=view.member_name))
            click.echo(
                t("cli_invite_link", link=view.link) if view.link else t("cli_invite_no_link")
            )
            return view.link or view.shown_code

    target = _run(go)
    if qr_path is not None:
        qr_path.write_bytes(qr_png(target))
        click.echo(t("cli_invite_qr", path=qr_path))


@main.group()
def role() -> None:
    """Roles: secretary, deputy, committee staff, inspection committee, admin."""


@role.command("grant")
@click.option("--member", "member_id", type=int, required=True)
@click.option("--unit", "unit_ref", required=True, help="Code or id of the unit.")
@click.option("--role", "role_name", type=click.Choice([r.value for r in Role]), required=True)
def role_grant(member_id: int, unit_ref: str, role_name: str) -> None:
    """Give a member a role at a unit."""
    from core.members import grant_role

    async def go() -> None:
        async with operator_services() as services:
            await grant_role(services, member_id, unit_ref, Role(role_name))
            click.echo(t("cli_role_granted", role=role_name, unit=unit_ref, member=member_id))

    _run(go)
