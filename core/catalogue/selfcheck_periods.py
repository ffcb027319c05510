"""Texts for self-check periods that open by themselves: the quarter's label and the
reminders to members who have not sent their answers yet."""

TEXTS: dict[str, str] = {
    "sc_label_quarter": "quý {quarter}/{year}",
    "sc_reminder": "🔔 Nhắc việc: {title}, kỳ {label}, nhận câu trả lời đến hết ngày {until}.",
    "sc_reminder_not_started": "Đồng chí chưa bắt đầu phiếu này ({total} câu, chỉ mất vài phút).",
    "sc_reminder_progress": "Đồng chí đã trả lời {done}/{total} câu, làm tiếp từ câu đang dừng.",
    "sc_reminder_unsent": (
        "Đồng chí đã trả lời đủ các câu nhưng chưa gửi. Xin đồng chí xem lại và chọn «Gửi»."
    ),
    "sc_btn_continue": "Làm tiếp",
}
