"""Texts about delivery capacity: a fan-out that cannot be delivered before its deadline."""

TEXTS: dict[str, str] = {
    "capacity_reminders_late": (
        "⚠️ Lời nhắc họp có thể đến muộn. Bot cần gửi {count} lời nhắc cho cuộc họp lúc "
        "{when}, nhưng đang có {ahead} tin nhắn khác xếp trước. Với tốc độ gửi khoảng {rate} "
        "tin mỗi giây, tin cuối dự kiến gửi xong lúc {until}, quá sát giờ họp. Đồng chí nên "
        "báo thêm cho đảng viên bằng điện thoại hoặc nhóm chat của chi bộ."
    ),
    "capacity_reminders_late_alone": (
        "⚠️ Lời nhắc họp có thể đến muộn. Bot cần gửi {count} lời nhắc cho cuộc họp lúc "
        "{when}. Với tốc độ gửi khoảng {rate} tin mỗi giây, tin cuối dự kiến gửi xong lúc "
        "{until}, quá sát giờ họp. Đồng chí nên báo thêm cho đảng viên bằng điện thoại hoặc "
        "nhóm chat của chi bộ."
    ),
}
