"""The pieces a text-only channel stands on, on both engines: numbered menus, stored inbound
events, shared files."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from core import files, inbound, textmenu
from core.clock import ManualClock
from core.context import Services
from core.messages import Address, Attachment, Button, Incoming, Reply, buttons
from core.texts import t

CHAT = Address("zalo", "a1b2c3d4e5f60718")
MENU = Reply(
    "Đồng chí có dự họp được không ạ?",
    buttons([Button("Tôi sẽ dự", "rsvp:y:7"), Button("Xin vắng", "rsvp:n:7")]),
)


def typed(text: str) -> Incoming:
    return Incoming("zalo", CHAT.chat_id, CHAT.chat_id, text=text)


async def test_rendered_menu_lists_options_and_how_to_answer() -> None:
    assert textmenu.render(MENU) == (
        "Đồng chí có dự họp được không ạ?\n\n1. Tôi sẽ dự\n2. Xin vắng\nTrả lời 1 hoặc 2."
    )
    many = Reply("Chọn:", buttons([Button(f"Người {n}", f"p:{n}") for n in range(1, 8)]))
    assert textmenu.render(many).endswith(t("menu_answer_range", last=7))
    assert textmenu.render(Reply("Không có nút")) == "Không có nút"


async def test_typed_numbers_and_labels_map_to_the_button_payload(services: Services) -> None:
    await textmenu.remember(services, CHAT, MENU)
    for text in ("2", "2.", " 2 ", "2)", "số 2", "Xin vắng", "xin vang", "XIN VẮNG"):
        choice = await textmenu.interpret(services, typed(text))
        assert choice.help is None
        assert choice.incoming.payload == "rsvp:n:7", text
        assert choice.incoming.text is None


async def test_a_number_outside_the_menu_gets_help_and_other_text_passes(
    services: Services,
) -> None:
    await textmenu.remember(services, CHAT, MENU)
    outside = await textmenu.interpret(services, typed("3"))
    assert outside.help == Reply(t("menu_no_such_number", number=3, last=2))
    passed = await textmenu.interpret(services, typed("/lichhop"))
    assert passed.help is None and passed.incoming == typed("/lichhop")


async def test_no_open_menu(services: Services) -> None:
    choice = await textmenu.interpret(services, typed("1"))
    assert choice.help == Reply(t("menu_none_open"))


async def test_a_replacing_reply_without_buttons_closes_the_menu(services: Services) -> None:
    await textmenu.remember(services, CHAT, MENU)
    await textmenu.remember(services, CHAT, Reply("Một tin khác"))  # a plain message: kept
    assert (await textmenu.interpret(services, typed("1"))).incoming.payload == "rsvp:y:7"
    await textmenu.remember(services, CHAT, Reply("Cảm ơn đồng chí.", replace=True))
    assert (await textmenu.interpret(services, typed("1"))).help == Reply(t("menu_none_open"))


async def test_the_newest_menu_wins(services: Services) -> None:
    await textmenu.remember(services, CHAT, MENU)
    newer = Reply("Lý do?", buttons([Button("Ốm đau", "rsvr:sick:7")]))
    await textmenu.remember(services, CHAT, newer)
    assert (await textmenu.interpret(services, typed("1"))).incoming.payload == "rsvr:sick:7"


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["", ".", ")", " "]))
def test_number_parsing(number: int, tail: str) -> None:
    assert textmenu.number_of(f" {number}{tail}") == number
    assert textmenu.number_of(f"{number} người") is None


async def test_inbound_events_are_kept_once_and_given_back_until_done(
    services: Services, clock: ManualClock
) -> None:
    body = {"event_name": "message.text.received", "message": {"message_id": "ab12", "text": "1"}}
    first = await inbound.store(services, "zalo", "message.text.received:ab12", body)
    assert first is not None
    assert await inbound.store(services, "zalo", "message.text.received:ab12", body) is None
    assert [s.id for s in await inbound.unhandled(services, "zalo")] == [first]
    assert await inbound.load(services, first) == body
    await inbound.done(services, first)
    assert await inbound.unhandled(services, "zalo") == []
    assert await inbound.load(services, first) is None  # the text is forgotten
    clock.advance(inbound.KEEP_KEYS + timedelta(minutes=1))
    assert await inbound.store(services, "zalo", "message.text.received:ab12", body) is None
    assert await inbound.forget_old(services) == 1


async def test_shared_files_expire(services: Services, clock: ManualClock) -> None:
    file = Attachment("bao-cao.xlsx", b"PK\x03\x04 data")
    shared = await files.share(services, file, timedelta(hours=1))
    found = await files.fetch(services, shared.token)
    assert found is not None and found.content == file.content
    assert found.content_type.endswith("spreadsheetml.sheet")
    assert await files.fetch(services, "not-a-token") is None
    clock.advance(timedelta(hours=1))
    assert await files.fetch(services, shared.token) is None
    assert await files.forget_expired(services) == 1
