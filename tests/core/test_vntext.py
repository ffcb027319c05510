"""Tests for core.vntext: Vietnamese diacritics, matching keys, slugs, names, phones."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.vntext import (
    InvalidPhoneError,
    fold,
    normalize_name,
    normalize_phone,
    slugify,
    strip_diacritics,
    try_normalize_phone,
)

VIETNAMESE_LOWER = (
    "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"
)
VIETNAMESE_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()

vietnamese_text = st.text(alphabet=VIETNAMESE_LETTERS + " 0123456789\t", max_size=60)
vietnamese_words = st.lists(
    st.text(alphabet=VIETNAMESE_LETTERS, min_size=1, max_size=8), max_size=5
)
phone_like = st.text(alphabet="0123456789+ .-()84", max_size=20)


# --- strip_diacritics ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Văn Đức", "Nguyen Van Duc"),
        ("đảng viên dự bị", "dang vien du bi"),
        ("ĐẢNG ỦY", "DANG UY"),
        ("Huỳnh Thị Lan", "Huynh Thi Lan"),
        ("ầấẩẫậ ằắẳẵặ ờớởỡợ ừứửữự", "aaaaa aaaaa ooooo uuuuu"),
        ("plain ascii 123", "plain ascii 123"),
        ("", ""),
    ],
)
def test_strip_diacritics_examples(text: str, expected: str) -> None:
    assert strip_diacritics(text) == expected


def test_strip_diacritics_decomposed_input() -> None:
    assert strip_diacritics(unicodedata.normalize("NFD", "Phạm Thị Hoa")) == "Pham Thi Hoa"


def test_strip_diacritics_eth_lookalike() -> None:
    assert strip_diacritics("Ðặng") == "Dang"  # U+00D0 typed instead of U+0110


@given(vietnamese_text)
def test_strip_diacritics_is_ascii_for_vietnamese(text: str) -> None:
    assert strip_diacritics(text).isascii()


@given(st.text())
def test_strip_diacritics_never_raises(text: str) -> None:
    assert isinstance(strip_diacritics(text), str)


# --- fold ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Số  Điện   Thoại ", "so dien thoai"),
        ("HỌ VÀ TÊN", "ho va ten"),
        ("Bí\tthư\n", "bi thu"),
        ("SĐT", "sdt"),
    ],
)
def test_fold_examples(text: str, expected: str) -> None:
    assert fold(text) == expected


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(vietnamese_text)
def test_fold_of_vietnamese_is_lowercase_ascii(text: str) -> None:
    folded = fold(text)
    assert folded.isascii()
    assert folded == folded.lower()
    assert folded == folded.strip()
    assert "  " not in folded


# --- slugify ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Chi bộ Ấp 1", "chi-bo-ap-1"),
        ("  Đảng bộ xã Phú Hữu -- (2025) ", "dang-bo-xa-phu-huu-2025"),
        ("", "unit"),
        ("!!! ---", "unit"),
        ("中文", "unit"),
    ],
)
def test_slugify_examples(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_truncates_without_trailing_dash() -> None:
    slug = slugify("Chi bộ " + "a" * 33 + " bcd")  # the cut falls right after a separator
    assert len(slug) <= 40
    assert not slug.endswith("-")


@given(st.text())
def test_slugify_shape(text: str) -> None:
    slug = slugify(text)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert 1 <= len(slug) <= 40


# --- normalize_name --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nguyễn văn  an", "Nguyễn Văn An"),
        ("  TRẦN THỊ MAI ", "Trần Thị Mai"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("lê văn tám", "Lê Văn Tám"),
        ("đặng văn phúc", "Đặng Văn Phúc"),
        ("h'hen niê", "H'Hen Niê"),
        ("y-ngông niê kdăm", "Y-Ngông Niê Kdăm"),
        ("Ksor H'Luôn", "Ksor H'Luôn"),
        ("", ""),
    ],
)
def test_normalize_name_examples(text: str, expected: str) -> None:
    assert normalize_name(text) == expected


def test_normalize_name_composes_nfd_input() -> None:
    decomposed = unicodedata.normalize("NFD", "nguyễn văn hùng")
    assert normalize_name(decomposed) == "Nguyễn Văn Hùng"


@given(vietnamese_words)
def test_normalize_name_capitalises_words(words: list[str]) -> None:
    name = normalize_name(" ".join(w.lower() for w in words))
    assert all(word[0].isupper() for word in name.split())
    assert fold(name) == fold(" ".join(words))


@given(st.text())
def test_normalize_name_is_idempotent(text: str) -> None:
    once = normalize_name(text)
    assert normalize_name(once) == once


# --- normalize_phone -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0912-345-678", "0912345678"),
        ("+84912345678", "0912345678"),
        ("+84 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("0283 822 1234", "02838221234"),
        ("0381234567", "0381234567"),
        ("０９１２３４５６７８", "0912345678"),  # full-width digits
    ],
)
def test_normalize_phone_valid(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_normalize_phone_blank_is_none(text: str) -> None:
    assert normalize_phone(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "091234567",  # too short
        "09123456789",  # too long for a mobile
        "0912abc678",  # letters
        "912345678",  # no 0/84/+84 prefix
        "+1 212 555 0100",  # another country
        "0612345678",  # unallocated prefix
        "01681234567",  # pre-2018 11-digit mobile
        "024 1234",  # landline too short
        "0",
        "+",
        "()",
        "0912 345 678 ext 2",
    ],
)
def test_normalize_phone_invalid_raises(text: str) -> None:
    with pytest.raises(InvalidPhoneError):
        normalize_phone(text)
    assert try_normalize_phone(text) is None


def test_invalid_phone_error_is_value_error() -> None:
    assert issubclass(InvalidPhoneError, ValueError)


@given(st.one_of(st.text(), phone_like))
def test_normalize_phone_only_raises_invalid_phone(text: str) -> None:
    try:
        result = normalize_phone(text)
    except InvalidPhoneError:
        return
    if result is None:
        assert not text.strip()
    else:
        assert re.fullmatch(r"0[0-9]{9,10}", result)


@given(phone_like)
def test_normalize_phone_round_trips(text: str) -> None:
    result = try_normalize_phone(text)
    if result is not None:
        assert normalize_phone(result) == result


@given(st.from_regex(r"0[35789][0-9]{8}", fullmatch=True))
def test_every_mobile_form_is_accepted(national: str) -> None:
    spaced = f"{national[:4]} {national[4:7]} {national[7:]}"
    for form in (national, spaced, "+84" + national[1:], "84" + national[1:]):
        assert normalize_phone(form) == national
