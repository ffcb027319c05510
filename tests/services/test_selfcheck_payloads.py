"""Property test: whatever self-check button payload arrives (stale, forged, another member's,
garbage), the member gets one short answer and nothing stored changes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.clock import ManualClock
from core.context import CoreConfig, Services
from core.messages import Incoming
from core.texts import t
from db.engine import Database
from db.models import SelfCheck, SelfCheckAnswer, SelfCheckPeriod
from handlers import build_router
from tests.services.test_onboarding import join_as
from tests.support import person, seed_cell

NOW = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
PREFIXES = ["sca", "scq", "scx", "scs", "sco"]
ANSWERS = {
    t(key)
    for key in ("selfcheck_not_yours", "selfcheck_bad_answer", "selfcheck_closed", "stale_button")
}
parts = st.one_of(
    st.integers(-3, 10**12).map(str),
    st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True),
    st.sampled_from(["M1", "M14", "Q10", "attended", "absent_unreported", "", "-1"]),
)
payloads = st.one_of(
    st.builds(
        lambda p, xs: ":".join([p, *xs]), st.sampled_from(PREFIXES), st.lists(parts, max_size=4)
    ),
    st.text(max_size=70),
)


async def _state(services: Services) -> tuple[list[tuple[int, str, str | None]], list[str]]:
    async with services.db.unit_of_work() as uow:
        answers = await uow.session.execute(
            select(
                SelfCheckAnswer.selfcheck_id, SelfCheckAnswer.question_id, SelfCheckAnswer.value
            )
        )
        checks = await uow.session.scalars(select(SelfCheck.status))
        rows = [(row[0], row[1], row[2]) for row in answers]
        return sorted(rows, key=str), sorted(c.value for c in checks)


async def _scenario(url: str, payload: str) -> None:
    services = Services(Database(url), ManualClock(NOW), CoreConfig())
    try:
        async with services.db.unit_of_work() as uow:
            seeded = await uow.session.scalar(select(SelfCheckPeriod.id))
        if seeded is None:  # the first example sets the scene once
            cell = await seed_cell(services)
            for name, user in (("Nguyễn Văn Hùng", "100"), ("Lê Văn Tám", "300")):
                await join_as(services, cell, name, user)
            async with services.db.unit_of_work() as uow:
                uow.session.add(
                    SelfCheckPeriod(
                        form_name="monthly",
                        starts_on=date(2026, 11, 1),
                        ends_on=date(2026, 11, 30),
                        label="11/2026",
                        opened_at=NOW,
                    )
                )
                await uow.commit()
            await person(services, "100").say("/tukiemtra")  # the secretary's check: id 1
            tam = person(services, "300")
            await tam.say("/tukiemtra")  # Tám's check: id 2
            await tam.tap("Đã dự")  # one real answer, which must survive
        before = await _state(services)
        router = build_router(services)
        outcome = await router.dispatch(Incoming("test", "300", "300", payload=payload))
        assert len(outcome.replies) == 1
        assert outcome.replies[0].text in ANSWERS, (payload, outcome.replies[0].text)
        assert await _state(services) == before
    finally:
        await services.db.dispose()


def _is(text: str, number: int) -> bool:
    try:
        return int(text) == number
    except ValueError:
        return False


def forged(payload: str) -> bool:
    """Leave out what a real button could carry: Tám's own check (id 2) with a question of
    the form, and opening the real period (id 1). Everything else must change nothing."""
    fields = payload.split(":")
    if fields[0] == "sco":
        return len(fields) < 2 or not _is(fields[1], 1)
    if fields[0] in PREFIXES and len(fields) >= 2 and _is(fields[1], 2):
        return fields[0] == "sca" and (len(fields) < 3 or not fields[2].startswith("M"))
    return True


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payloads.filter(forged))
def test_forged_or_stale_payloads_change_nothing(sqlite_url: str, payload: str) -> None:
    asyncio.run(_scenario(sqlite_url, payload))
