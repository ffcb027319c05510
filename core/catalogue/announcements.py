"""Texts for announcements to the whole cell (/thongbao) with «Đã đọc»."""

TEXTS: dict[str, str] = {
    "cmd_thongbao": "Gửi thông báo đến cả chi bộ, xem ai đã đọc",
    # --- the secretary's list and one announcement ------------------------------------------
    "ann_list_title": "📢 Thông báo gần đây của chi bộ:",
    "ann_list_item": "{n}. Ngày {date}: «{text}»\n    Đã đọc {read}/{total}",
    "ann_list_hint": "Chọn một thông báo để xem ai đã đọc, ai chưa đọc.",
    "ann_btn_open": "{date} «{text}» ({read}/{total})",
    "ann_btn_new": "Soạn thông báo mới",
    "ann_btn_back": "« Danh sách thông báo",
    "ann_detail": "📢 Thông báo ngày {date}, người gửi: {name}\n«{text}»\nĐã đọc {read}/{total}.",
    "ann_detail_read": "✅ Đã đọc ({count}): {names}",
    "ann_detail_unread": "⏳ Chưa đọc ({count}): {names}",
    "ann_names_more": "{names} và {count} đồng chí khác",
    "ann_everyone_read": "Tất cả các đồng chí đã đọc.",
    "ann_btn_nudge": "Nhắc người chưa đọc",
    "ann_nudged": (
        "Đã nhắc {count} đồng chí chưa đọc. Các đồng chí sẽ nhận lại thông báo kèm nút «Đã đọc»."
    ),
    "ann_nudged_today": (
        "Hôm nay đã nhắc các đồng chí chưa đọc thông báo này rồi. "
        "Ngày mai đồng chí có thể nhắc lại."
    ),
    "ann_nudge_none": "Không còn đồng chí nào khác chưa đọc thông báo này, không cần nhắc.",
    "ann_gone": "Không tìm thấy thông báo này. Gõ /thongbao để xem các thông báo của chi bộ.",
    # --- writing ---------------------------------------------------------------------------------
    "ann_ask_text": (
        "Xin đồng chí gõ nội dung thông báo gửi đến {count} đồng chí trong chi bộ "
        "(tối đa {limit} ký tự, có thể gõ nhiều dòng trong một tin nhắn). "
        "Gõ /huy hoặc chọn «Thôi» để hủy."
    ),
    "ann_preview": (
        "Thông báo sẽ gửi đến {count} đồng chí trong chi bộ:\n\n{text}\n\n"
        "Chọn «Gửi» để gửi, «Sửa» để gõ lại, «Thôi» để hủy."
    ),
    "ann_btn_send": "Gửi",
    "ann_btn_edit": "Sửa",
    "ann_btn_stop": "Thôi",
    "ann_sent": (
        "Đã gửi thông báo đến {count} đồng chí. Khi đọc xong, mỗi đồng chí bấm «Đã đọc»; "
        "gõ /thongbao để xem ai đã đọc."
    ),
    "ann_stopped": "Đã hủy, thông báo chưa được gửi.",
    "ann_empty": "Thông báo chưa có nội dung. Xin đồng chí gõ nội dung thông báo.",
    "ann_too_long": (
        "Thông báo dài {length} ký tự, quá giới hạn {limit} ký tự (vừa một tin nhắn Zalo). "
        "Xin đồng chí rút gọn rồi gõ lại."
    ),
    "ann_use_buttons": "Xin đồng chí chọn «Gửi» để gửi, «Sửa» để gõ lại nội dung, hoặc «Thôi».",
    "ann_nobody": (
        "Chi bộ chưa có đồng chí nào khác dùng bot, nên chưa gửi được thông báo. "
        "Gõ /moi để mời các đồng chí tham gia."
    ),
    # --- the member's message ----------------------------------------------------------------
    "ann_head": "📢 Thông báo của chi bộ, ngày {date}:",
    "ann_nudge_head": "🔔 Nhắc lại: đồng chí chưa bấm «Đã đọc» thông báo của chi bộ ngày {date}:",
    "ann_author": "Người gửi: đồng chí {name}",
    "ann_read_hint": "Đọc xong, xin đồng chí bấm «Đã đọc».",
    "ann_btn_read": "Đã đọc",
    "ann_read_now": "✅ Đã ghi nhận đồng chí đã đọc ({when}).",
    "ann_read_before": "✅ Đồng chí đã xác nhận đã đọc thông báo này rồi ({when}).",
    "ann_not_yours": (
        "Thông báo này không gửi đến đồng chí hoặc không còn nữa, nên không ghi nhận được."
    ),
    "ann_member_left": (
        "Đồng chí không còn trong danh sách đảng viên của chi bộ, "
        "nên không cần xác nhận thông báo này."
    ),
}
