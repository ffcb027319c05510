"""Texts for a member's channels: linking a second messenger, the preferred channel."""

TEXTS: dict[str, str] = {
    "cmd_kenh": "Chọn nơi nhận tin nhắc: Telegram hoặc Zalo",
    # --- /kenh -------------------------------------------------------------------------------
    "channels_current_telegram": "Đồng chí đang nhận tin nhắc qua: Telegram.",
    "channels_current_zalo": "Đồng chí đang nhận tin nhắc qua: Zalo.",
    "channels_current_none": "Hiện bot chưa gửi được tin nhắc cho đồng chí qua kênh nào.",
    "channels_blocked_telegram": (
        "Bot không gửi được tin qua Telegram (có thể đồng chí đã chặn bot ở đó)."
    ),
    "channels_blocked_zalo": (
        "Bot không gửi được tin qua Zalo (có thể đồng chí đã chặn bot ở đó)."
    ),
    "channels_can_link": (
        "Đồng chí có thể liên kết thêm tài khoản để nhận tin nhắc ở nơi quen dùng."
    ),
    "btn_prefer_telegram": "Nhận nhắc qua Telegram",
    "btn_prefer_zalo": "Nhận nhắc qua Zalo",
    "btn_link_telegram": "Liên kết Telegram",
    "btn_link_zalo": "Liên kết Zalo",
    "preferred_set_telegram": "Từ nay bot sẽ gửi tin nhắc cho đồng chí qua Telegram.",
    "preferred_set_zalo": "Từ nay bot sẽ gửi tin nhắc cho đồng chí qua Zalo.",
    # --- a code to link the other channel ----------------------------------------------------
    "link_code_telegram": (
        "Mã liên kết Telegram của đồng chí: {code}\n"
        "Mở đường dẫn sau bằng Telegram rồi bấm Bắt đầu: {link}"
    ),
    "link_code_telegram_typed": (
        "Mã liên kết Telegram của đồng chí: {code}\n"
        "Mở bot của chi bộ trên Telegram rồi gõ mã: {code}"
    ),
    "link_code_zalo": (
        "Mã liên kết Zalo của đồng chí: {code}\nMở Zalo, tìm «{bot_name}» rồi gửi tin nhắn: {code}"
    ),
    "link_code_zalo_unnamed": (
        "Mã liên kết Zalo của đồng chí: {code}\n"
        "Mở bot của chi bộ trên Zalo (xin hỏi bí thư chi bộ tên bot) rồi gửi tin nhắn: {code}"
    ),
    "link_code_note": (
        "Mã dùng được một lần, đến {when}. Liên kết xong, đồng chí gõ /kenh để chọn nơi "
        "nhận tin nhắc."
    ),
    # --- refusals ----------------------------------------------------------------------------
    "channel_not_running": "Bot hiện chưa hoạt động trên kênh này.",
    "channel_not_linked": "Đồng chí chưa liên kết tài khoản trên kênh này. Gõ /kenh để liên kết.",
    "channel_blocked": (
        "Bot chưa gửi được tin cho đồng chí qua kênh này (có thể đồng chí đã chặn bot). "
        "Xin đồng chí mở lại bot ở đó rồi thử lại."
    ),
    "channel_already_linked": "Đồng chí đã liên kết tài khoản trên kênh này rồi.",
}
