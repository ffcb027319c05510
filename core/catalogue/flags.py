"""Texts for following up self-check flags: «Đã liên hệ», notes, and /theodoi with the
suggestions of the aggregation rules. Suggestions only: never a verdict or a label."""

TEXTS: dict[str, str] = {
    "cmd_theodoi": "Đảng viên cần quan tâm sau tự kiểm tra",
    "flag_btn_contacted": "Đã liên hệ",
    "flag_btn_note": "Ghi chú",
    "flag_btn_contacted_for": "✓ Đã liên hệ: {name} ({label})",
    "flag_card_title": "Tự kiểm tra kỳ {label} của đồng chí {name}:",
    "flag_contacted_now": "✓ Đã liên hệ: đồng chí {name}, {when}.",
    "flag_contacted_before": (
        "Đồng chí {name} đã đánh dấu «Đã liên hệ» từ trước ({when}); không cần làm lại."
    ),
    "flag_note_line": "📝 Ghi chú: {text}",
    "flag_ask_note": (
        "Xin đồng chí gõ ghi chú ngắn về việc theo dõi đồng chí {name} (tối đa {limit} ký tự). "
        "Ghi chú chỉ bí thư, phó bí thư chi bộ xem được. Gõ /huy nếu không ghi nữa."
    ),
    "flag_note_saved": "Đã lưu ghi chú về đồng chí {name} (kỳ {label}).",
    "flags_list_title": "Đảng viên cần quan tâm sau tự kiểm tra ({count} đồng chí):",
    "flags_list_empty": "Hiện không còn nội dung tự kiểm tra nào cần theo dõi.",
    "flags_member": "👤 Đồng chí {name}",
    "flags_period": "Kỳ {label} (gửi ngày {date}):",
    "flags_hints_title": "Tổng hợp:",
    "flags_list_note": (
        "Đây chỉ là gợi ý để thăm hỏi, trao đổi riêng; không phải kết luận. Sau khi liên hệ, "
        "đồng chí chọn «Đã liên hệ» để đưa khỏi danh sách."
    ),
    # The aggregation rules (core.flag_rules): suggestions, in neutral words.
    "flag_hint_visit": "• Gợi ý thăm hỏi: đồng chí ấy có khó khăn muốn chi bộ hỗ trợ.",
    "flag_hint_rules": (
        "• Nhắc quy định (Điều lệ Đảng, Điều 8): đảng viên bỏ sinh hoạt chi bộ hoặc không "
        "đóng đảng phí {limit} tháng trong năm mà không có lý do chính đáng thì chi bộ xem xét, "
        "đề nghị xóa tên. Năm {year}, đồng chí ấy tự nêu nội dung này ở {count} tháng; số liệu "
        "chính thức theo sổ điểm danh và sổ thu đảng phí."
    ),
    "flag_hint_talk": (
        "• Gợi ý trao đổi trực tiếp: {count} nội dung khác nhau trong hai tháng liên tiếp "
        "({first} và {second})."
    ),
    "flag_hint_quarter": (
        "• Đề nghị trao đổi: đồng chí ấy muốn được chi bộ giúp đỡ ở {count} nội dung "
        "tự kiểm tra quý."
    ),
    "flag_hint_light": "• Ghi chú nhẹ: chọn «{answer}» hai quý liền ở: {topics}.",
    # refusals
    "flags_gone": "Phiếu tự kiểm tra này không còn nội dung cần theo dõi.",
    "flag_note_empty": "Xin đồng chí gõ vài chữ cho ghi chú, hoặc gõ /huy để thôi.",
    "flag_note_long": (
        "Ghi chú dài {length} ký tự, quá giới hạn {limit}. Xin đồng chí viết ngắn lại."
    ),
    "flags_own": (
        "Nội dung tự kiểm tra của chính đồng chí do bí thư hoặc phó bí thư khác theo dõi; "
        "đồng chí không tự đánh dấu được."
    ),
}
