"""Property tests for what people type and what buttons carry."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.chunks import split_text
from core.commands import parse_command
from core.invites import ALPHABET, display_code, new_code, normalize_code
from core.payloads import MAX_BYTES, MAX_ID, PayloadError, decode, encode, int_part

part = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=8)


@given(st.text(max_size=300))
def test_parse_command_never_raises(text: str) -> None:
    command = parse_command(text, known={"trogiup"}, bare=True)
    if command is not None:
        assert command.name and command.name.isascii()


@pytest.mark.parametrize(
    ("text", "name", "args"),
    [
        ("/start ABCD-EFGH", "start", "ABCD-EFGH"),
        ("/start@chibo_bot   ABCD ", "start", "ABCD"),
        ("/TroGiup", "trogiup", ""),
        ("  /huy", "huy", ""),
    ],
)
def test_parse_command_examples(text: str, name: str, args: str) -> None:
    command = parse_command(text)
    assert command is not None and (command.name, command.args) == (name, args)


def test_bare_words_are_commands_only_when_asked() -> None:
    assert parse_command("trogiup") is None
    bare = parse_command("Trợgiúp", known={"trogiup"}, bare=True)
    assert bare is not None and bare.name == "trogiup"
    assert parse_command("xin chào", known={"trogiup"}, bare=True) is None


@pytest.mark.parametrize("text", ["Huy động nguồn lực", "Kênh mương cần nạo vét", "huy bỏ"])
def test_bare_word_starting_a_sentence_is_text(text: str) -> None:
    assert parse_command(text, known={"huy", "kenh"}, bare=True) is None
    command = parse_command(f"/{text}", known={"huy", "kenh"}, bare=True)
    assert command is not None and command.args  # with "/" it stays a command


def test_bare_word_alone_is_a_command() -> None:
    for text in ("Hủy", " HUY ", "kênh"):
        assert parse_command(text, known={"huy", "kenh"}, bare=True) is not None, text


@given(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=6),
    st.lists(part, max_size=4),
)
def test_payload_round_trip(prefix: str, parts: list[str]) -> None:
    try:
        payload = encode(prefix, *parts)
    except PayloadError:
        assert len(":".join([prefix, *parts]).encode()) > MAX_BYTES
        return
    assert len(payload.encode()) <= MAX_BYTES
    assert decode(payload) == (prefix, tuple(parts))


@given(st.text(max_size=100))
def test_decode_rejects_or_returns_clean_parts(payload: str) -> None:
    try:
        prefix, parts = decode(payload)
    except PayloadError:
        return
    assert ":" not in prefix and all(":" not in p for p in parts)


def test_encode_refuses_separator_and_unicode() -> None:
    for bad in ("a:b", "đ", ""):
        with pytest.raises(PayloadError):
            encode("x", bad)


@given(st.text(max_size=5000), st.integers(min_value=1, max_value=600))
def test_split_text_respects_limit_and_keeps_words(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert pieces and all(len(p) <= limit for p in pieces)
    if text.strip():
        assert "".join(text.split()) == "".join("".join(pieces).split())


def test_split_text_prefers_line_boundaries() -> None:
    text = "\n".join(f"• Đảng viên số {i}" for i in range(400))
    pieces = split_text(text, 4096)
    assert len(pieces) > 1
    assert all(not p.startswith("\n") and p.splitlines()[0].startswith("•") for p in pieces)


@given(st.text(max_size=40))
def test_typed_codes_normalize(text: str) -> None:
    assert normalize_code(text) == normalize_code(normalize_code(text))


def test_codes_use_an_unambiguous_alphabet() -> None:
    for _ in range(200):
        code = new_code()
        assert set(code) <= set(ALPHABET)
        assert normalize_code(display_code(code).lower()) == code


@pytest.mark.parametrize("part", ["", "-1", "1.5", "²", "٣", "x1", str(MAX_ID + 1), "9" * 13])
def test_int_part_refuses_what_is_not_an_id_the_database_can_take(part: str) -> None:
    """A forged payload with a huge number made PostgreSQL refuse the query (int32 ids)."""
    with pytest.raises(PayloadError):
        int_part(("x", part), 1)


def test_int_part_reads_ids() -> None:
    assert int_part(("0", str(MAX_ID)), 0) == 0
    assert int_part(("0", str(MAX_ID)), 1) == MAX_ID
