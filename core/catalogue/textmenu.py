"""Texts for text-only channels (Zalo): numbered menus, typed commands, files as links."""

TEXTS: dict[str, str] = {
    "menu_answer_one": "Trả lời 1 để chọn.",
    "menu_answer_few": "Trả lời {head} hoặc {last}.",
    "menu_answer_range": "Trả lời một số từ 1 đến {last}.",
    "menu_no_such_number": (
        "Không có lựa chọn số {number}. Xin đồng chí trả lời một số từ 1 đến {last} "
        "theo danh sách ở tin nhắn gần nhất."
    ),
    "menu_none_open": (
        "Hiện không có danh sách nào để chọn theo số. "
        "Gõ trogiup để xem các lệnh đồng chí dùng được."
    ),
    "file_link": "📎 Tải tệp {filename} tại:\n{url}\n(Đường dẫn dùng được đến {until}.)",
    "file_link_gone": "Đường dẫn tải tệp đã hết hạn hoặc không đúng. Xin đồng chí lấy lại tệp.",
    "file_unavailable": (
        "📎 Zalo không gửi được tệp {filename}. Xin đồng chí mở bot trên Telegram, hoặc nhờ "
        "quản trị viên xuất tệp bằng lệnh chibo trên máy chủ."
    ),
    "photo_unavailable": "(Ảnh {filename} chỉ xem được trên Telegram.)",
    "unsupported_hidden": (
        "Bot không đọc được nội dung tin nhắn này. Nếu cần, xin đồng chí liên hệ trực tiếp "
        "bí thư chi bộ."
    ),
}
