"""Texts for self-checks (tự kiểm tra): questions, progress, summary, flags for leaders."""

TEXTS: dict[str, str] = {
    "cmd_tukiemtra": "Tự kiểm tra hằng tháng, hằng quý",
    "sc_none_open": ("Hiện chưa có kỳ tự kiểm tra nào đang mở. Bot sẽ nhắn khi kỳ mới bắt đầu."),
    "sc_form_monthly": "Tự kiểm tra tháng",
    "sc_form_quarterly": "Tự kiểm tra quý",
    "sc_pick_period": "Đang mở các kỳ tự kiểm tra sau. Đồng chí chọn kỳ muốn làm:",
    "sc_period_button": "{title} {label}",
    "sc_btn_history": "Kết quả của tôi",
    "sc_header": "📝 {title} — kỳ {label}",
    "sc_progress": "Câu {number}/{total}: {text}",
    "sc_how_to_stop": "Đồng chí có thể dừng bất cứ lúc nào; gõ /tukiemtra để làm tiếp.",
    "sc_chosen": "✓ {label}",
    "sc_btn_back": "« Quay lại",
    "sc_btn_skip": "Bỏ qua",
    "sc_type_text": "Xin đồng chí gõ câu trả lời ngắn (tối đa {limit} ký tự).",
    "sc_ask_comment": (
        "Đồng chí có muốn ghi thêm một ý ngắn cho câu này không ạ? Xin không ghi chi tiết "
        "nhạy cảm; nếu cần, hãy xin gặp riêng bí thư. Gõ ý kiến, hoặc chọn «Bỏ qua»."
    ),
    "sc_summary_title": "Xin đồng chí xem lại các câu trả lời:",
    "sc_summary_line": "{number}. {topic}: {answer}",
    "sc_summary_skipped": "(bỏ qua)",
    "sc_summary_missing": "(chưa trả lời)",
    "sc_summary_comment": "   Ý kiến: {text}",
    "sc_summary_ask": "Nếu cần sửa, chọn số câu; nếu đã đúng, chọn «Gửi».",
    "sc_btn_submit": "Gửi",
    "sc_btn_edit": "Sửa câu {number}",
    "sc_submitted_note": (
        "Đã gửi. Đồng chí có thể sửa câu trả lời đến hết ngày {until}; sửa xong cần gửi lại."
    ),
    "sc_thanks": (
        "Cảm ơn đồng chí đã hoàn thành tự kiểm tra kỳ {label}. Câu trả lời chỉ đồng chí và "
        "bí thư, phó bí thư chi bộ xem được."
    ),
    "sc_history_title": "Kết quả tự kiểm tra của đồng chí:",
    "sc_history_line": "• {title} {label}: {state}",
    "sc_state_submitted": "đã gửi",
    "sc_state_in_progress": "đang làm ({done}/{total} câu)",
    "sc_history_none": "Đồng chí chưa làm kỳ tự kiểm tra nào.",
    "sc_flags_title": (
        "🔔 Đồng chí {name} vừa gửi tự kiểm tra kỳ {label}. Có nội dung đồng chí ấy muốn "
        "được chi bộ quan tâm:"
    ),
    "sc_flag_line": "• {topic}: «{answer}» ({kind})",
    "sc_flag_support": "cần hỗ trợ",
    "sc_flag_follow_up": "nên trao đổi",
    "sc_flags_note": "Đây chỉ là gợi ý để thăm hỏi, trao đổi riêng; không phải kết luận.",
    "cli_form_line": "{form} phiên bản {version}: {title} ({count} câu)",
    "cli_form_set": (
        "Đã chuyển {cell} sang phiếu {form} phiên bản {version} (áp dụng cho lần tự kiểm tra mới)."
    ),
    "form_unknown": (
        "Không có phiếu {form} phiên bản {version}. Xem danh sách bằng lệnh: chibo form list"
    ),
    # refusals
    "selfcheck_closed": (
        "Kỳ tự kiểm tra này đã đóng hoặc không còn. Gõ /tukiemtra để xem kỳ đang mở."
    ),
    "selfcheck_not_yours": "Nút này không thuộc phiếu tự kiểm tra của đồng chí.",
    "selfcheck_bad_answer": "Lựa chọn này không có trong câu hỏi. Xin đồng chí chọn lại.",
    "selfcheck_incomplete": "Còn câu {number} chưa trả lời. Xin đồng chí trả lời trước khi gửi.",
    "selfcheck_text_empty": "Xin đồng chí gõ vài chữ, hoặc chọn «Bỏ qua».",
    "selfcheck_text_long": (
        "Câu trả lời dài {length} ký tự, quá giới hạn {limit}. Xin đồng chí viết ngắn lại."
    ),
}
