"""Texts for typed dates and times (see core.vndates); one entry per error code, `{text}` is
the part of the input that was not understood (at most 40 characters)."""

TEXTS: dict[str, str] = {
    "date_unreadable": (
        "Bot chưa hiểu ngày «{text}». Xin đồng chí gõ theo dạng ngày/tháng, "
        "ví dụ: 5/12 hoặc 05/12/2026; cũng có thể gõ «mai», «thứ 7» hoặc «thứ 7 tuần sau»."
    ),
    "date_impossible": (
        "Ngày «{text}» không có trên lịch. Xin đồng chí gõ ngày trước, tháng sau, "
        "ví dụ: 31/12 là ngày 31 tháng 12."
    ),
    "date_past": (
        "«{text}» là ngày giờ đã qua. Xin đồng chí gõ một ngày sắp tới, "
        "ví dụ: mai, 5/12 hoặc 5/12 lúc 19:30."
    ),
    "date_missing": (
        "Đồng chí mới gõ giờ «{text}», còn thiếu ngày. Xin gõ cả ngày và giờ, "
        "ví dụ: 5/12 lúc 19:30 hoặc mai 7h tối."
    ),
    "time_unreadable": (
        "Bot chưa hiểu giờ «{text}». Xin đồng chí gõ giờ theo dạng 24 giờ, "
        "ví dụ: 19:30 hoặc 19h30; cũng có thể gõ 7h30 tối."
    ),
    "time_impossible": (
        "Giờ «{text}» không hợp lệ: giờ chỉ từ 0 đến 23, phút từ 00 đến 59. "
        "Xin đồng chí gõ lại, ví dụ: 19:30 hoặc 7h30 tối."
    ),
    "time_missing": (
        "Đồng chí mới gõ ngày «{text}», còn thiếu giờ. Xin gõ cả ngày và giờ, "
        "ví dụ: 5/12 lúc 19:30 hoặc mai 7h tối."
    ),
    "datetime_unreadable": (
        "Bot chưa hiểu ngày giờ «{text}». Xin đồng chí gõ ngày rồi đến giờ, "
        "ví dụ: 5/12 lúc 19:30, 05/12/2026 19h30 hoặc mai 7h tối."
    ),
    "datetime_ambiguous": (
        "Bot chưa chắc «{text}» là ngày nào, giờ nào. Xin đồng chí gõ ngày có dấu / "
        "và giờ có dấu : hoặc chữ h, ví dụ: 5/12 19:30 hoặc 5/12 lúc 19h30."
    ),
}
