"""The delivery loop on both engines, with a recording sender in place of the messenger.

Members are linked the way people link (a code and "that's me") on the neutral "test"
channel: Hùng (secretary) 1001, Mai (deputy) 1002, Tám 1003, Hoa 1004.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import ColumnElement, select

from core import deliveries
from core.clock import ManualClock
from core.context import Services
from core.delivery import DeliveryError, Failure
from core.messages import Address
from core.texts import t
from db.engine import Database
from db.models import ChannelAccount, Outbox, OutboxStatus
from tests.jobs.helpers import (
    CHANNELS,
    RecordingSender,
    clock_pacer,
    deliverer,
    note,
    put,
    row,
    rows,
    statuses,
)
from tests.services.test_onboarding import join_as
from tests.support import Cell, seed_cell

HUNG, MAI, TAM, HOA = "Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Tám", "Phạm Thị Hoa"
CHAT = {HUNG: "1001", MAI: "1002", TAM: "1003", HOA: "1004"}


@pytest.fixture
async def cell(services: Services) -> Cell:
    cell = await seed_cell(services)
    for name, chat in CHAT.items():
        await join_as(services, cell, name, chat)
    return cell


async def blocked_at(services: Services, chat: str) -> object:
    async with services.db.unit_of_work() as uow:
        return await uow.session.scalar(
            select(ChannelAccount.blocked_at).where(
                ChannelAccount.channel == "test", ChannelAccount.chat_id == chat
            )
        )


# --- success -------------------------------------------------------------------------------


async def test_sent_rows_record_the_provider_message_id(services: Services, cell: Cell) -> None:
    now = services.clock.now()
    sender = RecordingSender()
    await put(
        services,
        [
            note("r:tam", now, member_id=cell.member_ids[TAM]),
            note("r:hoa", now, member_id=cell.member_ids[HOA]),
            note("n:hung", now, to=Address("test", CHAT[HUNG])),
        ],
    )
    assert await deliverer(services, sender).drain() == 3
    assert sorted((to.chat_id, text) for to, text in sender.sent) == [
        ("1001", "n:hung"),
        ("1003", "r:tam"),
        ("1004", "r:hoa"),
    ]
    ids = {f"msg-{i}" for i in range(1, 4)}
    for stored in await rows(services):
        assert stored.status is OutboxStatus.SENT
        assert stored.provider_message_id in ids
        assert stored.sent_channel == "test"
        assert stored.attempts == 1
        assert stored.done_at == now
        assert stored.claimed_by is None
    assert await deliverer(services, sender).drain() == 0
    assert len(sender.sent) == 3


async def test_rows_wait_for_their_time_and_for_a_linked_channel(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    later = clock.now() + timedelta(minutes=5)
    sender = RecordingSender()
    await put(services, [note("later", later, member_id=cell.member_ids[TAM])])
    zalo_only = deliverer(services, sender)
    zalo_only.channels = frozenset({"zalo"})
    clock.advance(timedelta(minutes=5))
    assert await zalo_only.drain() == 1  # claimed, but no chat on the channels it runs
    assert (await row(services, "later")).status is OutboxStatus.UNREACHABLE
    assert sender.sent == []


async def test_not_yet_due_rows_are_left_alone(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    sender = RecordingSender()
    due = clock.now() + timedelta(minutes=5)
    await put(services, [note("later", due, member_id=cell.member_ids[TAM])])
    assert await deliverer(services, sender).drain() == 0
    clock.advance(timedelta(minutes=5))
    assert await deliverer(services, sender).drain() == 1
    assert sender.texts_to(CHAT[TAM]) == ["later"]


# --- 429, retries, bad requests ------------------------------------------------------------


async def test_retry_after_is_honoured_without_holding_other_chats(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    now = clock.now()
    sender = RecordingSender()
    sender.fail_next(CHAT[TAM], DeliveryError(Failure.RATE_LIMITED, "429", retry_after=7))
    worker = deliverer(services, sender, pacer=clock_pacer(clock))
    await put(
        services,
        [
            note("r:tam", now, member_id=cell.member_ids[TAM]),
            note("r:hoa", now, member_id=cell.member_ids[HOA]),
        ],
    )
    await worker.drain()
    assert sender.texts_to(CHAT[HOA]) == ["r:hoa"]  # the other chat is not held
    waiting = await row(services, "r:tam")
    assert waiting.status is OutboxStatus.PENDING
    assert waiting.next_attempt_at == now + timedelta(seconds=7)
    assert waiting.attempts == 0  # a 429 is not a failed attempt
    assert waiting.last_error == "429"
    clock.advance(timedelta(seconds=6))
    assert await worker.drain() == 0
    clock.advance(timedelta(seconds=1))
    assert await worker.drain() == 1
    assert sender.texts_to(CHAT[TAM]) == ["r:tam"]
    assert sender.attempts[CHAT[TAM]] == 2
    done = await row(services, "r:tam")
    assert done.status is OutboxStatus.SENT
    assert done.attempts == 1


async def test_network_errors_back_off_and_fail_after_max_attempts(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    now = clock.now()
    sender = RecordingSender()
    sender.fail_next(CHAT[TAM], *[DeliveryError(Failure.RETRY, "NetworkError")] * 4)
    sender.fail_next(CHAT[HOA], DeliveryError(Failure.RETRY, "502"), RuntimeError("library bug"))
    worker = deliverer(services, sender, max_attempts=4)
    await put(
        services,
        [
            note("r:tam", now, member_id=cell.member_ids[TAM]),
            note("r:hoa", now, member_id=cell.member_ids[HOA]),
        ],
    )
    await worker.drain()
    for attempts, wait in ((1, 2), (2, 4), (3, 8)):
        retrying = await row(services, "r:tam")
        assert retrying.status is OutboxStatus.PENDING
        assert retrying.attempts == attempts
        assert retrying.next_attempt_at == clock.now() + timedelta(seconds=wait)
        assert retrying.last_error == "NetworkError"
        clock.advance(timedelta(seconds=wait - 1))
        assert await worker.drain() == 0  # not a second early
        clock.advance(timedelta(seconds=1))
        await worker.drain()
    failed = await row(services, "r:tam")
    assert failed.status is OutboxStatus.FAILED
    assert failed.attempts == 4
    assert failed.last_error == "NetworkError"
    clock.advance(timedelta(hours=1))
    assert await worker.drain() == 0
    assert sender.texts_to(CHAT[TAM]) == []
    assert sender.attempts[CHAT[TAM]] == 4
    recovered = await row(services, "r:hoa")  # a 502, then an unexpected error, then fine
    assert recovered.status is OutboxStatus.SENT
    assert recovered.attempts == 3
    assert sender.texts_to(CHAT[HOA]) == ["r:hoa"]


def test_backoff_doubles_up_to_ten_minutes() -> None:
    waits = [deliveries.backoff(n).total_seconds() for n in range(1, 12)]
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]


async def test_a_bad_request_fails_at_once(services: Services, cell: Cell) -> None:
    sender = RecordingSender()
    sender.fail_next(CHAT[TAM], DeliveryError(Failure.BAD_REQUEST, "can't parse entities"))
    await put(services, [note("r:tam", services.clock.now(), member_id=cell.member_ids[TAM])])
    await deliverer(services, sender).drain()
    failed = await row(services, "r:tam")
    assert failed.status is OutboxStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error == "can't parse entities"
    assert sender.attempts[CHAT[TAM]] == 1


# --- 403: unreachable, one alert -----------------------------------------------------------


@pytest.mark.parametrize("batch", [50, 1])
async def test_a_refusing_chat_is_marked_once_and_leaders_are_alerted_once(
    services: Services, cell: Cell, clock: ManualClock, batch: int
) -> None:
    now = clock.now()
    tam = cell.member_ids[TAM]
    sender = RecordingSender()
    sender.refuse(CHAT[TAM])
    worker = deliverer(services, sender, batch=batch)
    await put(services, [note(f"r:tam:{i}", now, member_id=tam) for i in range(3)])
    await worker.drain()
    assert {r.status for r in await rows(services, deliveries_of(tam))} == {
        OutboxStatus.UNREACHABLE
    }
    assert await blocked_at(services, CHAT[TAM]) == now
    alerts = await rows(services, kind_is("alert"))
    leaders = {cell.member_ids[HUNG], cell.member_ids[MAI]}
    assert sorted(a.member_id for a in alerts) == sorted(leaders)  # type: ignore[type-var]
    assert {a.status for a in alerts} == {OutboxStatus.SENT}
    alert = t("alert_unreachable", name=TAM)
    assert sender.texts_to(CHAT[HUNG]) == [alert]
    assert sender.texts_to(CHAT[MAI]) == [alert]
    tried = sender.attempts[CHAT[TAM]]
    assert 1 <= tried <= 3

    clock.advance(timedelta(days=1))
    await put(services, [note(f"r:tam:late:{i}", clock.now(), member_id=tam) for i in range(2)])
    await worker.drain()
    for i in range(2):
        late = await row(services, f"r:tam:late:{i}")
        assert late.status is OutboxStatus.UNREACHABLE
        assert late.last_error == "no reachable chat"
    assert sender.attempts[CHAT[TAM]] == tried  # nothing more was sent to that chat
    assert len(await rows(services, kind_is("alert"))) == 2  # and nobody was told again
    assert sender.texts_to(CHAT[HUNG]) == [alert]


async def test_every_refusing_address_is_marked_unreachable(
    services: Services, cell: Cell
) -> None:
    now = services.clock.now()
    sender = RecordingSender()
    sender.refuse(CHAT[TAM])
    sender.refuse(CHAT[HOA])
    await put(
        services,
        [
            note("n:tam", now, to=Address("test", CHAT[TAM])),
            note("n:hoa", now, to=Address("test", CHAT[HOA])),
        ],
    )
    await deliverer(services, sender).drain()
    assert {r.status for r in await rows(services)} == {OutboxStatus.UNREACHABLE}
    assert await blocked_at(services, CHAT[TAM]) == now
    assert await blocked_at(services, CHAT[HOA]) == now


# --- stale rows and dead workers -----------------------------------------------------------


async def test_expired_rows_are_skipped_never_sent(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    now = clock.now()
    sender = RecordingSender()
    sender.fail_next(CHAT[HOA], DeliveryError(Failure.RETRY, "NetworkError"))
    await put(
        services,
        [
            note(
                "r:tam", now, member_id=cell.member_ids[TAM], expires_at=now + timedelta(hours=1)
            ),
            note(
                "r:hoa", now, member_id=cell.member_ids[HOA], expires_at=now + timedelta(hours=1)
            ),
        ],
    )
    worker = deliverer(services, sender)
    clock.advance(timedelta(hours=2))  # the bot was down until after the meeting started
    await put(services, [note("r:mai", now, member_id=cell.member_ids[MAI])])
    await worker.drain()
    for key in ("r:tam", "r:hoa"):
        skipped = await row(services, key)
        assert skipped.status is OutboxStatus.SKIPPED
        assert skipped.last_error == "stale"
    assert [text for _, text in sender.sent] == ["r:mai"]


async def test_a_retry_that_outlives_the_meeting_is_skipped(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    now = clock.now()
    sender = RecordingSender()
    sender.fail_next(CHAT[TAM], DeliveryError(Failure.RETRY, "NetworkError"))
    expires = now + timedelta(seconds=1)
    await put(services, [note("r:tam", now, member_id=cell.member_ids[TAM], expires_at=expires)])
    worker = deliverer(services, sender)
    await worker.drain()
    clock.advance(timedelta(seconds=2))
    await worker.drain()
    assert (await row(services, "r:tam")).status is OutboxStatus.SKIPPED
    assert sender.sent == []


async def test_claims_older_than_the_lease_go_back_to_pending(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    now = clock.now()
    lease = timedelta(minutes=2)
    await put(services, [note("old", now, member_id=cell.member_ids[TAM])])
    assert len(await deliveries.claim(services, "dead-worker", 50, CHANNELS)) == 1
    clock.advance(timedelta(seconds=90))
    await put(services, [note("young", clock.now(), member_id=cell.member_ids[HOA])])
    assert len(await deliveries.claim(services, "live-worker", 50, CHANNELS)) == 1
    assert await deliveries.release_stale_claims(services, lease) == 0
    clock.advance(timedelta(seconds=31))  # "old" is 121 s old, "young" 31 s
    assert await deliveries.release_stale_claims(services, lease) == 1
    old, young = await row(services, "old"), await row(services, "young")
    assert old.status is OutboxStatus.PENDING
    assert old.claimed_by is None and old.claimed_at is None
    assert young.status is OutboxStatus.SENDING
    assert young.claimed_by == "live-worker"
    sender = RecordingSender()
    assert await deliverer(services, sender).drain() == 1
    assert sender.texts_to(CHAT[TAM]) == ["old"]


async def test_a_restarted_worker_picks_up_what_a_dead_one_claimed(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    await put(services, [note("r:tam", clock.now(), member_id=cell.member_ids[TAM])])
    await deliveries.claim(services, "dead-worker", 50, CHANNELS)
    clock.advance(timedelta(minutes=3))
    sender = RecordingSender()
    stop = asyncio.Event()
    worker = deliverer(services, sender, idle_poll=0.01)
    task = asyncio.create_task(worker.run(stop))
    try:
        await wait_until(lambda: bool(sender.sent))
    finally:
        stop.set()
        await task
    assert sender.texts_to(CHAT[TAM]) == ["r:tam"]
    assert (await row(services, "r:tam")).status is OutboxStatus.SENT


async def test_a_running_worker_picks_up_what_a_dead_one_claimed(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    sender = RecordingSender()
    stop = asyncio.Event()
    worker = deliverer(services, sender, idle_poll=0.01)
    task = asyncio.create_task(worker.run(stop))
    try:
        await put(services, [note("r:tam", clock.now(), member_id=cell.member_ids[TAM])])
        await deliveries.claim(services, "dead-worker", 50, CHANNELS)  # then it was killed
        clock.advance(timedelta(minutes=10))  # long past the two-minute lease
        worker.wake()
        await wait_until(lambda: bool(sender.sent), timeout=1.0)
    finally:
        stop.set()
        await task
    assert sender.texts_to(CHAT[TAM]) == ["r:tam"]


# --- two workers ---------------------------------------------------------------------------


async def test_two_workers_never_send_a_row_twice(services: Services) -> None:
    """2,000 rows, two workers with their own connections draining at once: each row once."""
    now = services.clock.now()
    keys = [f"bulk:{i}" for i in range(2000)]
    await put(
        services, [note(k, now, to=Address("test", str(i % 200))) for i, k in enumerate(keys)]
    )
    second = Database(services.db.url)
    try:
        other = Services(second, services.clock, services.config)
        a, b = RecordingSender(), RecordingSender()
        done = await asyncio.gather(
            deliverer(services, a, worker="worker-a").drain(),
            deliverer(other, b, worker="worker-b").drain(),
        )
    finally:
        await second.dispose()
    sends = Counter(text for _, text in a.sent + b.sent)
    assert sends == Counter(keys)  # every key exactly once
    assert sum(done) == 2000
    assert a.sent and b.sent, "both workers should have taken a share"
    assert await statuses(services) == {"sent": 2000}


# --- helpers -------------------------------------------------------------------------------


def deliveries_of(member_id: int) -> ColumnElement[bool]:
    return (Outbox.member_id == member_id) & (Outbox.kind == "reminder")


def kind_is(kind: str) -> ColumnElement[bool]:
    return Outbox.kind == kind


async def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_nothing_goes_out_in_quiet_hours_even_retries(
    services: Services, cell: Cell, clock: ManualClock
) -> None:
    # 20:59 local: the row is enqueued and due; at 21:00 the quiet hours start.
    clock.set(datetime(2026, 11, 2, 13, 59, tzinfo=UTC))
    await put(services, [note("r:late", clock.now(), member_id=cell.member_ids[TAM])])
    clock.set(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))
    sender = RecordingSender()
    assert await deliverer(services, sender).drain() == 0
    assert sender.sent == []
    clock.set(datetime(2026, 11, 2, 23, 30, tzinfo=UTC))  # 06:30 next morning
    assert await deliverer(services, sender).drain() == 1
