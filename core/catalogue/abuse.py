"""Texts for abuse protection: a flood of updates from one account, guessing invite codes."""

TEXTS: dict[str, str] = {
    "flood_slow_down": (
        "Đồng chí gửi tin nhắn hơi nhanh, bot tạm chưa xử lý các tin vừa gửi. Xin đồng chí "
        "chờ khoảng một phút rồi gửi lại yêu cầu."
    ),
    "code_throttled_global": (
        "Hiện có quá nhiều lượt nhập sai mã mời, nên bot tạm dừng nhận mã từ các tài khoản "
        "vừa nhập sai. Xin đồng chí thử lại sau {minutes} phút, hoặc liên hệ bí thư chi bộ."
    ),
}
