"""Every command and every button payload kind × every role, through the real router on a
real database: what is allowed works, what is forbidden is refused with a message and
changes nothing stored.

The items come from the router's registry (`command_names`, `button_prefixes`): a command or
a button prefix without a row in EXPECTED fails the check. Each button gets a realistic
payload that refers to real objects of cell A (its next meeting, Tám's self-check, the
duty, the announcement …); a button that only makes sense inside a wizard is pressed after the
same person started that wizard (`prelude`). Each case runs on its own copy of one seeded
SQLite file, so no case sees another's changes. "Changes nothing" is checked on every table:
a checksum of all its rows before and after; only REFUSAL_MAY_CHANGE may differ.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from core.clock import ManualClock
from core.context import Services
from core.messages import Incoming, Outcome
from core.payloads import PayloadError, decode
from core.texts import TEXTS
from db import migrate
from db.engine import Database
from db.models import Base
from handlers import build_router
from tests.conftest import PG_ADMIN_URL, START, _pg_admin
from tests.reliability.world import ROLES, Extras, World, add_extras, build_world, config_for

CHANNEL = "telegram"
AT = START + timedelta(hours=1)
# Refusals: the catalogue texts that say "not you / not allowed / not here". A button about
# something that is not the presser's answers `stale_button` on purpose (it does not tell
# whether the object exists).
REFUSALS = frozenset(
    {
        "not_allowed",
        "not_linked",
        "pending_approval",
        "stale_button",
        "selfcheck_not_yours",
        "duty_not_yours",
        "rollup_not_staff",
        "programme_not_allowed",
        "programme_not_appraiser",
        "flags_gone",
        "command_for_leaders",
        "command_for_committee",
        "command_for_programme",
        "already_linked",
        "ann_not_yours",
        "meeting_unknown",
        "duty_unknown",
        "member_unknown",
        "unit_unknown",
        "nothing_to_continue",  # a wizard's button when the wizard was refused
    }
)
# A refusal may leave these changed, and nothing else: the audit log, where a refusal by the
# policy ("not_allowed") leaves exactly one "refused" entry (checked). Other refusals (not
# linked, not yours, no such object) leave nothing. inbound_events and pending_menus are not
# here: the adapters write them around the router (keeping an update, showing a menu), the
# router itself does not, so a refusal must not touch them either.
REFUSAL_MAY_CHANGE = frozenset({"audit_log"})

ALL = set(ROLES)
MEMBERS = ALL - {"stranger"}  # everyone with an active account
# "admin" is a plain member of cell A whose account is a deployment administrator: the
# policy lets an administrator do everything except what is private to the cell's leaders
# (members' self-check answers, and who has or has not done the self-check, by name).
LEADERS = {"secretary", "deputy"}
A_LEADERS = LEADERS | {"admin"}  # act on cell A's objects
ANY_LEADERS = A_LEADERS | {"other_secretary"}  # act on their own cell (no cell in the payload)
COMMITTEE = {"committee_staff", "admin"}
IN_A = {"member", "deputy", "secretary", "admin"}  # members of cell A
EXPECTED: dict[str, set[str]] = {
    # Commands.
    "start": ALL,
    "trogiup": ALL,
    "help": ALL,
    "huy": ALL,
    "lichhop": MEMBERS,
    "kenh": MEMBERS,
    "tukiemtra": MEMBERS,
    "nhiemvu": MEMBERS,
    "moi": ANY_LEADERS,
    "dangvien": ANY_LEADERS,
    "taohop": ANY_LEADERS,
    "diemdanh": ANY_LEADERS,
    "giaoviec": ANY_LEADERS,
    "theodoi": LEADERS | {"other_secretary"},  # private: not an administrator
    "tinhhinh": ANY_LEADERS,
    "status": ANY_LEADERS,
    "nhacnho": ANY_LEADERS,
    "baocao": LEADERS | {"other_secretary"},  # names who did the self-check: private
    "thongbao": ANY_LEADERS,
    "tonghop": COMMITTEE,
    "mohinh": ANY_LEADERS | COMMITTEE,
}


@dataclass(frozen=True)
class Item:
    """One button kind: its payload for cell A's objects, and what the presser did before."""

    payload: Callable[[World, Extras], str]
    prelude: tuple[str | Callable[[World, Extras], str], ...] = ()


def _a(w: World) -> int:
    return w.cell_a.id


TAM, SAU = "Lê Văn Tám", "Ngô Văn Sáu"
BUTTONS: dict[str, tuple[Item, set[str]]] = {
    # A one-time code is the secret: whoever holds it may join, once, if not linked yet.
    "join": (Item(lambda w, x: f"join:yes:{x.join_code.replace('-', '')}"), {"stranger"}),
    "mem": (Item(lambda w, x: f"mem:ok:{x.pending_id}"), A_LEADERS),
    "inv": (Item(lambda w, x: f"inv:m:{w.ids[SAU]}"), A_LEADERS),
    "invp": (Item(lambda w, x: "invp:0"), ANY_LEADERS),
    "rsvp": (Item(lambda w, x: f"rsvp:n:{w.meeting_ids[0]}"), IN_A),
    "rsvr": (Item(lambda w, x: f"rsvr:{w.meeting_ids[0]}:work"), IN_A),
    "rsvo": (Item(lambda w, x: f"rsvo:{w.meeting_ids[0]}"), IN_A),
    "rsvd": (Item(lambda w, x: f"rsvd:{w.meeting_ids[0]}"), ALL),  # only says thanks
    "mk": (Item(lambda w, x: "mk:kind:regular", ("/taohop",)), ANY_LEADERS),
    "mkx": (Item(lambda w, x: "mkx:abort", ("/taohop",)), ANY_LEADERS),
    "mcan": (Item(lambda w, x: f"mcan:{w.meeting_ids[0]}"), A_LEADERS),
    "mmov": (Item(lambda w, x: f"mmov:{w.meeting_ids[0]}"), A_LEADERS),
    "medt": (Item(lambda w, x: f"medt:{w.meeting_ids[0]}:place"), A_LEADERS),
    "mstp": (Item(lambda w, x: f"mstp:{w.meeting_ids[0]}"), A_LEADERS),  # «not repeating»
    "att": (Item(lambda w, x: f"att:t:{w.meeting_ids[1]}:{w.ids[TAM]}:0"), A_LEADERS),
    "attp": (Item(lambda w, x: f"attp:{w.meeting_ids[1]}:0"), A_LEADERS),
    "chn": (Item(lambda w, x: "chn:l:zalo"), MEMBERS),
    "sco": (Item(lambda w, x: f"sco:{w.period_id}"), MEMBERS),
    "sca": (Item(lambda w, x: f"sca:{w.selfcheck_ids[TAM]}:M2:paid"), {"member"}),
    "scq": (Item(lambda w, x: f"scq:{w.selfcheck_ids[TAM]}:M1"), {"member"}),
    "scx": (Item(lambda w, x: f"scx:{w.selfcheck_ids[TAM]}:M2"), {"member"}),
    "scs": (Item(lambda w, x: f"scs:{w.selfcheck_ids[TAM]}"), {"member"}),
    "scm": (Item(lambda w, x: "scm"), MEMBERS),
    "flc": (Item(lambda w, x: f"flc:{x.closed_check_id}:l"), LEADERS),
    "fln": (Item(lambda w, x: f"fln:{x.closed_check_id}"), LEADERS),
    "dw": (Item(lambda w, x: "dw:kind:inspection", ("/giaoviec",)), ANY_LEADERS),
    "dwp": (
        Item(
            lambda w, x: "dwp:0",
            ("/giaoviec", "dw:kind:inspection", "Kiểm tra sổ sách", "dw:concerns:skip"),
        ),
        ANY_LEADERS,
    ),
    "dwx": (Item(lambda w, x: "dwx:abort", ("/giaoviec",)), ANY_LEADERS),
    "dut": (Item(lambda w, x: f"dut:{w.duty_id}"), A_LEADERS | {"member"}),
    "dur": (Item(lambda w, x: f"dur:{w.duty_id}:p"), {"member"}),
    "dud": (Item(lambda w, x: f"dud:{x.report_id}:y"), A_LEADERS),
    "tth": (Item(lambda w, x: f"tth:s:{w.period_id}"), LEADERS | {"other_secretary"}),
    "nhn": (Item(lambda w, x: "nhn:a"), ANY_LEADERS),
    "rep": (Item(lambda w, x: "rep:20261001:20261231"), LEADERS | {"other_secretary"}),
    "anw": (Item(lambda w, x: "anw:new"), ANY_LEADERS),
    "anv": (Item(lambda w, x: f"anv:{w.announcement_id}"), A_LEADERS),
    "anr": (Item(lambda w, x: f"anr:{w.announcement_id}"), IN_A),  # the author: read already
    "ann": (Item(lambda w, x: f"ann:{w.announcement_id}"), A_LEADERS),
    "th": (Item(lambda w, x: f"th:{w.commune_id}:0"), COMMITTEE),
    "thu": (Item(lambda w, x: f"thu:{w.commune_id}:0"), COMMITTEE),
    "thx": (Item(lambda w, x: f"thx:{w.commune_id}"), COMMITTEE),
    "mh": (Item(lambda w, x: f"mh:{w.commune_id}:{x.year}"), COMMITTEE),
    "mhl": (Item(lambda w, x: f"mhl:{w.commune_id}:{x.year}:n:0"), COMMITTEE),
    "mhc": (Item(lambda w, x: f"mhc:{_a(w)}:{x.year}"), A_LEADERS | COMMITTEE),
    "mhr": (Item(lambda w, x: f"mhr:{w.cell_b.id}:{x.year}"), {"other_secretary"} | COMMITTEE),
    "mha": (Item(lambda w, x: f"mha:{_a(w)}:{x.year}"), COMMITTEE),
    "mho": (
        Item(lambda w, x: f"mho:{_a(w)}:{x.year}:r", (lambda w, x: f"mha:{_a(w)}:{x.year}",)),
        COMMITTEE,
    ),
    "mhk": (Item(lambda w, x: "mhk"), set()),  # no programme step waits for it
}


# --- running one case -------------------------------------------------------------------------


def _pattern(template: str) -> re.Pattern[str]:
    pieces = re.split(r"\{[^{}]*\}", template)
    return re.compile("(?s)" + "(.+?)".join(re.escape(p) for p in pieces))


def _literal(template: str) -> int:
    return len(re.sub(r"\{[^{}]*\}", "", template))


# Longest fixed text first; a template that is mostly placeholders identifies nothing.
_KEYS = sorted((k for k in TEXTS if _literal(TEXTS[k]) >= 8), key=lambda k: -_literal(TEXTS[k]))
_PATTERNS = {key: _pattern(TEXTS[key]) for key in _KEYS}


def key_of(text_: str) -> str:
    """The catalogue key a reply's text was rendered from ("?" when it is composed)."""
    for key in _KEYS:
        if _PATTERNS[key].fullmatch(text_):
            return key
    return "?"


def _copy_file(url: str, path: Path) -> str:
    shutil.copy(url.removeprefix("sqlite+aiosqlite:///"), path)
    return f"sqlite+aiosqlite:///{path}"


def _remove_file(url: str) -> None:
    Path(url.removeprefix("sqlite+aiosqlite:///")).unlink()


@dataclass(frozen=True)
class Seed:
    """The seeded world: a SQLite file to copy, or a PostgreSQL database to use as a
    template (`url` is then the server's admin URL and `name` the template's name)."""

    url: str
    world: World
    extras: Extras
    name: str = ""

    @property
    def postgres(self) -> bool:
        return self.url.startswith("postgresql")

    async def copy(self, tmp: Path, case: str) -> str:
        if not self.postgres:
            return _copy_file(self.url, tmp / f"{case}.db")
        name = f"{self.name}_{re.sub(r'[^a-z0-9]', '_', case)}"
        await _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        return self.url.rsplit("/", 1)[0] + f"/{name}"

    async def drop(self, url: str) -> None:
        if self.postgres:
            await _pg_admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        else:
            _remove_file(url)


@dataclass(frozen=True)
class Case:
    item: str
    role: str
    keys: tuple[str, ...]  # catalogue keys of the replies
    changed: frozenset[str]  # tables whose rows changed
    audited: int  # new "refused" entries in the audit log

    @property
    def refused(self) -> bool:
        return bool(self.keys) and all(k in REFUSALS for k in self.keys)


async def _checksums(db: Database) -> dict[str, str]:
    sums = {}
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            order = ", ".join(c.name for c in table.primary_key.columns)
            rows = (await conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}"))).all()
            sums[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


async def _refusals(db: Database) -> int:
    async with db.engine.connect() as conn:
        found = await conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'refused'"))
        return int(found or 0)


def _incoming(user: str, what: str) -> Incoming:
    try:
        decode(what)
        is_payload = (not what.startswith("/") and ":" in what) or what in BUTTON_ONLY
    except PayloadError:
        is_payload = False
    if is_payload:
        return Incoming(CHANNEL, user, user, payload=what)
    return Incoming(CHANNEL, user, user, text=what)


BUTTON_ONLY = frozenset({"scm", "mhk", "anv"})


async def run_case(seed_: Seed, tmp: Path, item: str, role: str) -> Case:
    url = await seed_.copy(tmp, f"{item}-{role}")
    services = Services(Database(url), ManualClock(AT), config_for(CHANNEL))
    router = build_router(services)
    user = ROLES[role][1]
    w, x = seed_.world, seed_.extras
    try:
        if item in BUTTONS:
            spec = BUTTONS[item][0]
            for step in spec.prelude:
                await router.dispatch(
                    _incoming(user, step if isinstance(step, str) else step(w, x))
                )
            incoming = Incoming(CHANNEL, user, user, payload=spec.payload(w, x))
        else:
            incoming = Incoming(CHANNEL, user, user, text=f"/{item}")
        before, audits = await _checksums(services.db), await _refusals(services.db)
        outcome: Outcome = await router.dispatch(incoming)
        after, audited = await _checksums(services.db), await _refusals(services.db) - audits
    finally:
        await services.db.dispose()
        await seed_.drop(url)
    changed = frozenset(name for name in before if before[name] != after[name])
    return Case(item, role, tuple(key_of(r.text) for r in outcome.replies), changed, audited)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Seed:
    path = tmp_path_factory.mktemp("authz") / "world.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    return Seed(url, *asyncio.run(_build(url)))


@pytest.fixture(scope="module")
def seeded_postgres(postgres_url: str) -> Iterator[Seed]:
    """The world in its own database on the local server, the template of every case."""
    name = f"authz_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        migrate.upgrade(url)
        yield Seed(PG_ADMIN_URL, *asyncio.run(_build(url)), name=name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _build(url: str) -> tuple[World, Extras]:
    services = Services(Database(url), ManualClock(START), config_for(CHANNEL))
    try:
        world = await build_world(services, CHANNEL)
        return world, await add_extras(world)
    finally:
        await services.db.dispose()


def expected_table() -> dict[str, set[str]]:
    return {**EXPECTED, **{prefix: allowed for prefix, (_, allowed) in BUTTONS.items()}}


def test_every_command_and_button_has_a_row() -> None:
    """A new command or button prefix must be added to the authorization matrix."""
    from core.context import CoreConfig

    router = build_router(Services(None, ManualClock(START), CoreConfig()))  # type: ignore[arg-type]
    registered = router.command_names | router.button_prefixes
    assert registered == set(expected_table()), (
        f"missing rows: {sorted(registered - set(expected_table()))}; "
        f"rows for nothing: {sorted(set(expected_table()) - registered)}"
    )


def all_cases() -> list[tuple[str, str]]:
    return [(item, role) for item in sorted(expected_table()) for role in sorted(ROLES)]


def some_cases() -> list[tuple[str, str]]:
    """Every row once and every role about ten times: the i-th item with the i-th role."""
    roles = sorted(ROLES)
    return [(item, roles[i % len(roles)]) for i, item in enumerate(sorted(expected_table()))]


def check(
    seeded: Seed, tmp_path: Path, pairs: list[tuple[str, str]], figure: Callable[[str], None]
) -> None:
    table = expected_table()

    async def run_all() -> list[Case]:
        return [await run_case(seeded, tmp_path, item, role) for item, role in pairs]

    cases = asyncio.run(run_all())
    wrong, leaks = [], []
    for case in cases:
        allowed = case.role in table[case.item]
        if allowed == case.refused or "internal_error" in case.keys or not case.keys:
            expected = "allowed" if allowed else "refused"
            wrong.append(f"{case.item} × {case.role}: {case.keys} (expected {expected})")
        if case.refused and case.changed - REFUSAL_MAY_CHANGE:
            leaks.append(f"{case.item} × {case.role}: changed {sorted(case.changed)}")
        if case.audited != (case.keys == ("not_allowed",)):
            leaks.append(f"{case.item} × {case.role}: {case.audited} refusals audited")
    refused = sum(c.refused for c in cases)
    items = len({c.item for c in cases})
    roles = len({c.role for c in cases})
    figure(
        f"{items} commands/payloads × {roles} roles: {len(cases)} cases, "
        f"{len(cases) - refused} allowed, {refused} refused "
        f"({sum(c.audited for c in cases)} by the policy, audited), {len(leaks)} leaks, "
        f"{len(wrong)} not as expected"
    )
    assert not wrong, wrong
    assert not leaks, leaks


def test_authorization_quick(seeded: Seed, tmp_path: Path, figure: Callable[[str], None]) -> None:
    """Every command and button payload, each with one of the roles in turn: allowed ones
    work, forbidden ones are refused with a message and change nothing but the audit log."""
    check(seeded, tmp_path, some_cases(), figure)


@pytest.mark.slow
@pytest.mark.parametrize(
    "engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_authorization_matrix(
    engine: str, request: pytest.FixtureRequest, tmp_path: Path, figure: Callable[[str], None]
) -> None:
    """Every command and button payload × every role (member, deputy, secretary, another
    cell's secretary, committee staff, stranger, administrator): allowed ones work,
    forbidden ones are refused with a message and change nothing but the audit log."""
    seed_: Seed = request.getfixturevalue("seeded" if engine == "sqlite" else "seeded_postgres")
    check(seed_, tmp_path, all_cases(), figure)


def test_an_administrator_does_not_see_who_has_not_done_the_selfcheck(
    seeded: Seed, tmp_path: Path
) -> None:
    """Found by the matrix: an administrator who is a plain member passed VIEW_ROSTER and
    saw, by name, who had not done the self-check (status list, the cell's report). That is
    for the cell's leaders only, like the answers."""

    async def run() -> list[Case]:
        items = ("tth", "rep", "baocao", "theodoi")
        return [
            await run_case(seeded, tmp_path, item, role)
            for item in items
            for role in ("admin", "secretary")
        ]

    cases = asyncio.run(run())
    assert [c.keys for c in cases if c.role == "admin"] == [("not_allowed",)] * 4
    assert [c.audited for c in cases if c.role == "admin"] == [1] * 4
    assert not any(c.refused for c in cases if c.role == "secretary")
