"""The outbox on both engines: inserting is idempotent, quiet hours move messages to the
morning, and a message that would only arrive after it stopped being useful is skipped."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from core.clock import ManualClock
from core.context import Services
from core.messages import Address
from core.quiet import NO_QUIET_HOURS, QuietHours
from db.models import OutboxStatus
from tests.jobs.helpers import note, put, row, rows

TO = Address("test", "1001")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 wall time in Hà Nội (UTC+7, no daylight saving) as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


async def test_enqueueing_the_same_keys_again_inserts_nothing(services: Services) -> None:
    now = services.clock.now()
    first = [note(f"reminder:1:{m}:120", now, to=TO) for m in range(3)]
    assert await put(services, first) == 3
    assert await put(services, first) == 0  # a double tick
    again_and_new = [first[0], note("reminder:1:9:120", now, to=TO)]
    assert await put(services, again_and_new) == 1
    assert await put(services, [note("twice", now, to=TO), note("twice", now, to=TO)]) == 1
    assert await put(services, []) == 0
    stored = await rows(services)
    assert sorted(r.dedupe_key for r in stored) == sorted(
        ["reminder:1:0:120", "reminder:1:1:120", "reminder:1:2:120", "reminder:1:9:120", "twice"]
    )
    assert {r.status for r in stored} == {OutboxStatus.PENDING}
    assert all(r.attempts == 0 and r.next_attempt_at == now for r in stored)


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (local(2, 22), local(3, 6, 30)),  # evening: next morning
        (local(2, 21), local(3, 6, 30)),  # the window starts at 21:00 sharp
        (local(3, 2, 15), local(3, 6, 30)),  # after midnight: the same morning
        (local(3, 6, 30), local(3, 6, 30)),  # the window ends at 06:30 sharp
        (local(2, 20, 59), local(2, 20, 59)),  # before the window: unchanged
    ],
)
async def test_quiet_hours_move_a_message_to_the_local_morning(
    services: Services, due: datetime, expected: datetime
) -> None:
    assert await put(services, [note("evening", due, to=TO)]) == 1
    stored = await row(services, "evening")
    assert stored.status is OutboxStatus.PENDING
    assert stored.not_before == expected
    assert stored.next_attempt_at == expected


async def test_a_message_due_at_22h_local_waits_until_06h30(services: Services) -> None:
    due = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)  # 22:00 in Hà Nội
    await put(services, [note("evening", due, to=TO)])
    stored = await row(services, "evening")
    assert stored.not_before == datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 06:30 on the 3rd
    assert stored.not_before.astimezone(services.config.timezone).strftime("%d/%m %H:%M") == (
        "03/11 06:30"
    )


async def test_quiet_hours_apply_to_now_when_the_message_is_overdue(
    services: Services, clock: ManualClock
) -> None:
    clock.set(local(2, 23))
    await put(services, [note("late", local(2, 10), to=TO)])
    assert (await row(services, "late")).not_before == local(3, 6, 30)


async def test_a_message_useless_by_the_morning_is_stored_as_skipped(
    services: Services,
) -> None:
    due = local(2, 22)
    await put(
        services,
        [
            note("meeting-at-6", due, to=TO, expires_at=local(3, 6)),
            note("meeting-at-6h30", due, to=TO, expires_at=local(3, 6, 30)),
            note("meeting-at-7", due, to=TO, expires_at=local(3, 7)),
        ],
    )
    for key in ("meeting-at-6", "meeting-at-6h30"):
        skipped = await row(services, key)
        assert skipped.status is OutboxStatus.SKIPPED
        assert skipped.last_error == "stale"
        assert skipped.done_at == services.clock.now()
    useful = await row(services, "meeting-at-7")
    assert useful.status is OutboxStatus.PENDING
    assert useful.not_before == local(3, 6, 30)


async def test_an_already_expired_message_is_skipped_even_outside_quiet_hours(
    services: Services,
) -> None:
    now = services.clock.now()
    await put(services, [note("too-late", now, to=TO, expires_at=now)])
    assert (await row(services, "too-late")).status is OutboxStatus.SKIPPED


async def test_no_quiet_hours_sends_at_any_hour(services: Services) -> None:
    config = replace(services.config, quiet_hours=NO_QUIET_HOURS)
    anytime = replace(services, config=config)
    due = local(2, 22)
    await put(anytime, [note("night", due, to=TO, expires_at=local(3, 6))])
    stored = await row(anytime, "night")
    assert stored.status is OutboxStatus.PENDING
    assert stored.not_before == due


async def test_a_window_within_one_day_is_honoured(services: Services) -> None:
    siesta = replace(services.config, quiet_hours=QuietHours(time(12), time(13, 30)))
    await put(replace(services, config=siesta), [note("noon", local(3, 12, 10), to=TO)])
    assert (await row(services, "noon")).not_before == local(3, 13, 30)
