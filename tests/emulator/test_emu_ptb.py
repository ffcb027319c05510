"""python-telegram-bot 22 talking to the emulator exactly as it talks to Telegram, over PTB's
own httpx transport and over the aiohttp one the bot uses (channels/ptb_request.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter

from channels.ptb_request import AiohttpRequest
from emulator import Emulator, EmulatorClient

USER = 5001


@pytest.fixture(params=["httpx", "aiohttp"])
async def bot(emu: Emulator, token: str, request: pytest.FixtureRequest) -> AsyncIterator[Bot]:
    if request.param == "aiohttp":
        ptb = Bot(
            token,
            base_url=f"{emu.url}/bot",
            request=AiohttpRequest(),
            get_updates_request=AiohttpRequest(connections=1),
        )
    else:
        ptb = Bot(token, base_url=f"{emu.url}/bot")
    await ptb.initialize()  # calls getMe
    try:
        yield ptb
    finally:
        await ptb.shutdown()


async def test_get_me(bot: Bot) -> None:
    assert bot.id == 123456
    assert bot.username == "chibo_demo_bot"
    me = await bot.get_me()
    assert me.is_bot and me.first_name == "Chi bộ Bot (giả lập)"


async def test_messages_buttons_and_edits(bot: Bot, control: EmulatorClient) -> None:
    await control.send(USER, "/start", first_name="Hà")
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton("Có mặt", callback_data="att:yes")],
            [InlineKeyboardButton("Vắng", callback_data="att:no")],
        ]
    )
    message = await bot.send_message(
        USER, "<b>Họp chi bộ</b> thứ Hai", parse_mode=ParseMode.HTML, reply_markup=markup
    )
    assert message.text == "Họp chi bộ thứ Hai"
    assert message.reply_markup == markup
    assert message.chat.first_name == "Hà" and message.from_user and message.from_user.is_bot
    edited = await bot.edit_message_text("Đã cập nhật", USER, message.message_id)
    assert not isinstance(edited, bool) and edited.text == "Đã cập nhật"
    assert edited.reply_markup is None
    with pytest.raises(BadRequest, match=r"^Message is not modified"):
        await bot.edit_message_text("Đã cập nhật", USER, message.message_id)
    events = await control.events(USER)
    assert [(e.kind, e.text) for e in events] == [
        ("message", "Họp chi bộ thứ Hai"),
        ("edit", "Đã cập nhật"),
    ]


async def test_files(bot: Bot, control: EmulatorClient) -> None:
    await control.send(USER, "/baocao")
    data = b"PK\x03\x04 not really a spreadsheet"
    document = await bot.send_document(
        USER, InputFile(data, filename="bao-cao.xlsx"), caption="Báo cáo tháng"
    )
    assert document.document is not None
    assert document.document.file_name == "bao-cao.xlsx"
    assert document.caption == "Báo cáo tháng"
    assert await control.download(document.document.file_id) == data
    photo = await bot.send_photo(USER, b"\x89PNG\r\n\x1a\n" + bytes(20), caption="QR")
    assert photo.photo and photo.photo[-1].file_size == 28
    kinds = [(e.kind, e.caption) for e in await control.events(USER)]
    assert kinds == [("document", "Báo cáo tháng"), ("photo", "QR")]


async def test_updates_and_callback_answers(bot: Bot, control: EmulatorClient) -> None:
    await control.send(USER, "/hop", first_name="Minh", last_name="Lê", username="minhle")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xác nhận", callback_data="ok:7")]])
    await bot.send_message(USER, "Xác nhận?", reply_markup=markup)
    pressed = await control.press(USER, "Xác nhận")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [1, 2]
    message = updates[0].message
    assert message is not None and message.text == "/hop"
    assert message.from_user is not None and message.from_user.username == "minhle"
    assert message.entities[0].type == "bot_command"
    query = updates[1].callback_query
    assert query is not None and query.data == "ok:7"
    assert query.id == pressed.callback_query_id
    assert query.message is not None and query.message.chat.id == USER
    assert await query.answer("Đã ghi nhận", show_alert=True)
    answers = await control.callback_answers()
    assert answers[0]["text"] == "Đã ghi nhận" and answers[0]["show_alert"] is True
    assert await bot.get_updates(offset=3, timeout=0) == ()


async def test_blocked_user(bot: Bot, control: EmulatorClient) -> None:
    await control.send(USER, "/start")
    await control.block(USER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(USER, "Nhắc họp")
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == ChatMember.BANNED
    assert member.old_chat_member.status == ChatMember.MEMBER


async def test_commands(bot: Bot, control: EmulatorClient) -> None:
    common = [BotCommand("start", "Bắt đầu"), BotCommand("lich", "Lịch họp")]
    admin = [*common, BotCommand("hop_moi", "Tạo cuộc họp")]
    assert await bot.set_my_commands(common, scope=BotCommandScopeDefault())
    assert await bot.set_my_commands(admin, scope=BotCommandScopeChat(USER), language_code="vi")
    assert await bot.get_my_commands() == tuple(common)
    chat_commands = await bot.get_my_commands(BotCommandScopeChat(USER), language_code="vi")
    assert chat_commands == tuple(admin)
    stored = await control.commands()
    assert stored[1]["scope"] == {"type": "chat", "chat_id": USER}
    assert [c["command"] for c in stored[1]["commands"]] == ["start", "lich", "hop_moi"]


# PTB 22 warns that RetryAfter.retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_faults_become_ptb_errors(bot: Bot, control: EmulatorClient) -> None:
    await control.send(USER, "/start")
    await control.add_fault("sendMessage", "429", retry_after=5, count=1)
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "x")
    await control.add_fault("sendMessage", "403", chat_id=USER, count=1)
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "x")
    assert (await bot.send_message(USER, "ok")).text == "ok"
    assert [c.status for c in await control.calls("sendMessage")] == [429, 403, 200]
    assert [e.text for e in await control.events(USER)] == ["ok"]
