"""Photos and files people send: both channels turn them into `Incoming.received` (a
reference only, the caption as text), and the router gives them only to a waiting flow that
takes files."""

from __future__ import annotations

from typing import Any

import pytest
from telegram import Update

from bot.harness import running_bot
from channels.telegram import to_incoming as telegram_incoming
from channels.zalo_channel import to_incoming as zalo_incoming
from core.context import Services
from core.messages import Incoming, Received, Reply
from core.router import Request, Router
from core.texts import t

USER = {"id": 42, "is_bot": False, "first_name": "Tám"}
CHAT = {"id": 42, "type": "private"}


def telegram_update(**message: Any) -> Update:
    body = {"message_id": 7, "date": 1_790_000_000, "chat": CHAT, "from": USER, **message}
    return Update.de_json({"update_id": 1, "message": body}, None)


def test_telegram_photo_keeps_the_biggest_size_and_the_caption() -> None:
    photo = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 900},
        {"file_id": "big", "file_unique_id": "b", "width": 900, "height": 900, "file_size": 9000},
    ]
    incoming = telegram_incoming(telegram_update(photo=photo, caption="Biên bản họp"))
    assert incoming is not None
    assert incoming.received == Received("photo", "big", size=9000)
    assert incoming.text == "Biên bản họp"


def test_telegram_document() -> None:
    document = {
        "file_id": "doc1",
        "file_unique_id": "d",
        "file_name": "bao-cao.xlsx",
        "file_size": 12345,
    }
    incoming = telegram_incoming(telegram_update(document=document))
    assert incoming is not None
    assert incoming.received == Received("document", "doc1", "bao-cao.xlsx", 12345)
    assert incoming.text is None


def test_telegram_text_has_nothing_received() -> None:
    incoming = telegram_incoming(telegram_update(text="xin chào"))
    assert incoming is not None and incoming.received is None


def test_zalo_image_with_either_field_name() -> None:
    for field in ("photo_url", "photo"):
        event = {
            "event_name": "message.image.received",
            "message": {
                "from": {"id": "u1", "display_name": "Tám"},
                "chat": {"id": "u1", "chat_type": "PRIVATE"},
                "message_id": "m1",
                "date": 1_790_000_000_000,
                field: "https://zalo.example/p.jpg",
                "caption": "Ảnh biên bản",
            },
        }
        incoming = zalo_incoming(event)
        assert incoming is not None
        assert incoming.received == Received("photo", "https://zalo.example/p.jpg")
        assert incoming.text == "Ảnh biên bản"


async def test_only_a_waiting_flow_that_takes_files_gets_them(services: Services) -> None:
    got: list[Incoming] = []
    waiting = {"flow": "report"}

    async def lookup(_services: Services, _incoming: Incoming) -> str | None:
        return waiting["flow"]

    async def handler(req: Request) -> Reply:
        got.append(req.incoming)
        return Reply("ok")

    router = Router(services, flow_lookup=lookup)
    router.flow("report", handler, files=True)
    router.flow("name", handler)
    photo = Incoming("zalo", "u1", "u1", text="1", received=Received("photo", "https://x/p"))
    assert (await router.dispatch(photo)).replies == [Reply("ok")]
    assert got == [photo]
    waiting["flow"] = "name"  # a flow that wants typed text does not get the photo
    assert (await router.dispatch(photo)).replies == [Reply(t("unsupported_message"))]
    assert len(got) == 1


@pytest.mark.parametrize("channel", ["telegram", "zalo"])
async def test_a_photo_outside_a_report_gets_a_polite_answer(
    sqlite_url: str, channel: str
) -> None:
    async with running_bot(sqlite_url, migrate_first=False, channel=channel) as h:
        person = h.person(2001, "Lê Văn Tám")
        [answer] = await person.send_photo(caption="1")
        assert answer.body == t("unsupported_message")
