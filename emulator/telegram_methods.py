"""Telegram Bot API methods that send or change messages."""

from __future__ import annotations

from emulator.params import ApiError, JSONDict, Params, UploadedFile, bad_request
from emulator.telegram_bot import StoredFile, TelegramBot
from emulator.telegram_format import (
    check_caption,
    check_text,
    image_size,
    parse_markup,
    visible_text,
)

MAX_UPLOAD = {"document": 50 * 1024 * 1024, "photo": 10 * 1024 * 1024}


def _reserve_send(bot: TelegramBot, chat_id: int, method: str) -> None:
    retry_after = bot.rate_limiter.check(chat_id, method)
    if retry_after is not None:
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


def _base_message(bot: TelegramBot, chat_id: int, markup: JSONDict | None) -> JSONDict:
    message: JSONDict = {
        "message_id": bot.new_message_id(chat_id),
        "from": bot.bot_user(),
        "chat": bot.users[chat_id].chat_json(),
        "date": bot.now(),
    }
    if markup is not None:
        message["reply_markup"] = markup
    return message


async def send_message(bot: TelegramBot, params: Params) -> JSONDict:
    chat_id = bot.chat(params.get_int("chat_id")).id
    raw = params.get_str("text")
    text = check_text(visible_text(raw, params.get_str("parse_mode")) if raw else raw)
    markup, buttons = parse_markup(params.get_json("reply_markup"))
    _reserve_send(bot, chat_id, "sendMessage")
    message = _base_message(bot, chat_id, markup)
    message["text"] = text
    bot.store_message(chat_id, message)
    bot.rate_limiter.record(chat_id)
    bot.chatlog.append(
        "message", chat_id, message["message_id"], text=text, buttons=buttons, date=message["date"]
    )
    return message


def _upload(bot: TelegramBot, params: Params, field: str) -> StoredFile:
    """The file sent as ``field``: a multipart part, ``attach://name`` or a known file_id."""
    part: UploadedFile | None = params.files.get(field)
    ref = params.get_str(field)
    if part is None and ref and ref.startswith("attach://"):
        part = params.files.get(ref.removeprefix("attach://"))
    if part is None:
        if ref and ref in bot.files:
            return bot.files[ref]
        if ref:
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {field} in the request")
    if not part.content:
        raise bad_request("file must be non-empty")
    if len(part.content) > MAX_UPLOAD[field]:
        raise ApiError(413, "Request Entity Too Large")
    serial = bot.next_serial()
    prefix = "BQAC" if field == "document" else "AgAC"
    width, height = image_size(part.content) if field == "photo" else (0, 0)
    stored = StoredFile(
        file_id=f"{prefix}emu{bot.id}x{serial}",
        file_unique_id=f"AQAD{serial}",
        file_name=part.filename,
        mime_type=part.content_type,
        content=part.content,
        width=width,
        height=height,
    )
    bot.files[stored.file_id] = stored
    return stored


async def _send_file(bot: TelegramBot, params: Params, field: str, method: str) -> JSONDict:
    chat_id = bot.chat(params.get_int("chat_id")).id
    raw = params.get_str("caption")
    caption = check_caption(visible_text(raw, params.get_str("parse_mode")) if raw else None)
    markup, buttons = parse_markup(params.get_json("reply_markup"))
    stored = _upload(bot, params, field)
    _reserve_send(bot, chat_id, method)
    message = _base_message(bot, chat_id, markup)
    size = len(stored.content)
    if field == "document":
        message["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": size,
        }
    else:
        message["photo"] = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": stored.width,
                "height": stored.height,
                "file_size": size,
            }
        ]
    if caption:
        message["caption"] = caption
    bot.store_message(chat_id, message)
    bot.rate_limiter.record(chat_id)
    file_info = {"file_id": stored.file_id, "file_name": stored.file_name, "size": size}
    bot.chatlog.append(
        field,
        chat_id,
        message["message_id"],
        caption=caption,
        buttons=buttons,
        file=file_info,
        date=message["date"],
    )
    return message


async def send_document(bot: TelegramBot, params: Params) -> JSONDict:
    return await _send_file(bot, params, "document", "sendDocument")


async def send_photo(bot: TelegramBot, params: Params) -> JSONDict:
    return await _send_file(bot, params, "photo", "sendPhoto")


def _edit(bot: TelegramBot, params: Params, new_text: str | None) -> JSONDict:
    if params.get_str("inline_message_id"):
        raise bad_request("inline messages are not supported by the emulator")
    chat_id = bot.chat(params.get_int("chat_id")).id
    message = bot.bot_message(chat_id, params.get_int("message_id"))
    markup, buttons = parse_markup(params.get_json("reply_markup"))
    text = message.get("text") if new_text is None else new_text
    if new_text is not None and "text" not in message:
        raise bad_request("there is no text in the message to edit")
    if text == message.get("text") and markup == message.get("reply_markup"):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    edited = {k: v for k, v in message.items() if k != "reply_markup"}
    if text is not None and "text" in message:
        edited["text"] = text
    if markup is not None:
        edited["reply_markup"] = markup
    edited["edit_date"] = bot.now()
    bot.store_message(chat_id, edited)
    bot.chatlog.append(
        "edit",
        chat_id,
        edited["message_id"],
        text=edited.get("text"),
        caption=edited.get("caption"),
        buttons=buttons,
        date=edited["edit_date"],
    )
    return edited


async def edit_message_text(bot: TelegramBot, params: Params) -> JSONDict:
    raw = params.get_str("text")
    text = visible_text(raw, params.get_str("parse_mode")) if raw else raw
    return _edit(bot, params, check_text(text))


async def edit_message_reply_markup(bot: TelegramBot, params: Params) -> JSONDict:
    return _edit(bot, params, None)


async def answer_callback_query(bot: TelegramBot, params: Params) -> bool:
    query_id = params.get_str("callback_query_id") or ""
    if query_id not in bot.callback_queries or query_id in bot.answered_ids():
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    bot.callback_answers.append(
        {
            "callback_query_id": query_id,
            "text": text,
            "show_alert": params.get_bool("show_alert"),
            "url": params.get_str("url"),
        }
    )
    return True
