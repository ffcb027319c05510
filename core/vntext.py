"""Vietnamese text helpers: diacritics, matching keys, slugs, names and phone numbers.

Everything here is a pure function over ``str``; nothing touches I/O.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "InvalidPhoneError",
    "fold",
    "normalize_name",
    "normalize_phone",
    "slugify",
    "strip_diacritics",
    "try_normalize_phone",
]

# Letters that carry no combining mark in NFD and so need an explicit mapping.
# U+00D0/U+00F0 (eth) are frequently typed instead of U+0110/U+0111 (đ/Đ).
_BASE_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})

_FIXED_POINT_ROUNDS = 4

_SLUG_MAX = 40
_SLUG_FALLBACK = "unit"
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")

# Apostrophes and hyphens start a new capitalised segment inside a name
# (minority names such as "H'Hen" or "Y-Ngông").
_NAME_SEPARATORS = frozenset("-'’")
_NAME_SEGMENT_START = re.compile(r"(^|[-'’])(\w)")

_PHONE_ALLOWED = re.compile(r"\+?[0-9 .()\-/]+")
_PHONE_NOISE = re.compile(r"[ .()\-/]")
_MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_MOBILE_LENGTH = 10
_LANDLINE_PREFIX = "02"
_LANDLINE_LENGTHS = (10, 11)


class InvalidPhoneError(ValueError):
    """Raised by :func:`normalize_phone` for a non-blank value that is not a phone number."""


def _strip_marks(s: str) -> str:
    decomposed = unicodedata.normalize("NFD", s.translate(_BASE_LETTERS))
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept)


def _latin_table() -> dict[int, str]:
    """Precomposed Latin letters (Vietnamese included) whose stripped form is ASCII."""
    table: dict[int, str] = {}
    for block in (range(0xC0, 0x250), range(0x1E00, 0x1F00)):
        for code in block:
            stripped = _strip_marks(chr(code))
            if stripped != chr(code) and stripped.isascii():
                table[code] = stripped
    return table


_LATIN_TABLE = _latin_table()


def strip_diacritics(s: str) -> str:
    """Remove tone marks and vowel marks: ``"Nguyễn Văn Đức"`` -> ``"Nguyen Van Duc"``.

    Only combining marks are dropped (plus the đ/Đ mapping); every other
    character, including non-Latin letters, is kept as it is.
    """
    if s.isascii():
        return s
    quick = s.translate(_LATIN_TABLE)  # fast path: the usual Vietnamese text
    return quick if quick.isascii() else _strip_marks(quick)


def _fold_once(s: str) -> str:
    text = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(strip_diacritics(text).casefold().split())


def fold(s: str) -> str:
    """Matching key: no diacritics, casefolded, whitespace collapsed and stripped.

    ``fold("  Số  Điện Thoại ")`` -> ``"so dien thoai"``. Idempotent:
    ``fold(fold(s)) == fold(s)`` for every string.
    """
    result = _fold_once(s)
    if result.isascii():
        return result  # ASCII lowercase with single spaces is already a fixed point
    # Casefolding a few exotic letters yields new combining marks; settle on a fixed point.
    for _ in range(_FIXED_POINT_ROUNDS):
        again = _fold_once(result)
        if again == result:
            break
        result = again
    return result


def slugify(s: str) -> str:
    """ASCII identifier: ``"Chi bộ Ấp 1"`` -> ``"chi-bo-ap-1"``.

    Only ``[a-z0-9-]``, no leading, trailing or doubled ``-``, at most 40
    characters, and never empty (falls back to ``"unit"``).
    """
    slug = _SLUG_JUNK.sub("-", fold(s)).strip("-")
    slug = slug[:_SLUG_MAX].rstrip("-")
    return slug or _SLUG_FALLBACK


def _capitalise(word: str) -> str:
    lowered = word.lower()
    if not _NAME_SEPARATORS.intersection(lowered):
        return lowered[:1].upper() + lowered[1:]
    return _NAME_SEGMENT_START.sub(lambda m: m.group(1) + m.group(2).upper(), lowered)


def _normalize_word(word: str) -> str:
    if word[0].isupper() and not word.isupper():
        return word  # deliberate mixed case ("McCain", "H'Hen"): keep it
    return _capitalise(word)


def normalize_name(s: str) -> str:
    """Person name in canonical form: ``"nguyễn văn  an"`` -> ``"Nguyễn Văn An"``.

    NFC, whitespace collapsed, every all-lower or all-upper word capitalised.
    Words already written in mixed case starting with a capital are kept.
    """
    result = _normalize_name_once(s)
    if _is_vietnamese(s):
        return result  # case mapping of these letters is stable: one pass is enough
    # Case mapping of a few exotic letters changes composition; settle on a fixed point.
    for _ in range(_FIXED_POINT_ROUNDS):
        again = _normalize_name_once(result)
        if again == result:
            break
        result = again
    return result


def _is_vietnamese(s: str) -> bool:
    """Only ASCII and precomposed Latin letters (the whole Vietnamese alphabet)."""
    return s.translate(_LATIN_TABLE).isascii()


def _normalize_name_once(s: str) -> str:
    words = unicodedata.normalize("NFC", s).split()
    return unicodedata.normalize("NFC", " ".join(_normalize_word(w) for w in words))


def _national_digits(raw: str) -> str:
    """Digits in national form (leading 0) or "" when the prefix is not Vietnamese."""
    digits = _PHONE_NOISE.sub("", raw)
    if digits.startswith("+"):
        return _from_country_code(digits[1:])
    if digits.startswith("00"):
        return _from_country_code(digits[2:])
    if digits.startswith("0"):
        return digits
    return _from_country_code(digits)


def _from_country_code(digits: str) -> str:
    if not digits.startswith("84"):
        return ""
    rest = digits[2:]
    # "+84 (0) 912..." carries a redundant trunk 0: keep a single one.
    return rest if rest.startswith("0") else "0" + rest


def _is_valid_national(digits: str) -> bool:
    if digits.startswith(_MOBILE_PREFIXES):
        return len(digits) == _MOBILE_LENGTH
    if digits.startswith(_LANDLINE_PREFIX):
        return len(digits) in _LANDLINE_LENGTHS
    return False


def normalize_phone(s: str) -> str | None:
    """Canonical national form of a Vietnamese phone number, e.g. ``"0912345678"``.

    Accepts spaces, dots, dashes, slashes and parentheses as separators and the
    ``+84``, ``0084`` and ``84`` prefixes. Mobiles are 10 digits starting
    03/05/07/08/09; landlines start 02 and have 10 or 11 digits.

    Returns ``None`` for a blank value (the phone is optional) and raises
    :class:`InvalidPhoneError` (a ``ValueError``) for anything else that is
    not a valid number. The result is a fixed point: ``normalize_phone(r) == r``.
    """
    text = unicodedata.normalize("NFKC", s).strip()
    if not text:
        return None
    if not _PHONE_ALLOWED.fullmatch(text):
        raise InvalidPhoneError("phone contains characters other than digits and separators")
    digits = _national_digits(text)
    if not _is_valid_national(digits):
        raise InvalidPhoneError("not a Vietnamese mobile or landline number")
    return digits


def try_normalize_phone(s: str) -> str | None:
    """Like :func:`normalize_phone` but returns ``None`` for invalid values too."""
    try:
        return normalize_phone(s)
    except InvalidPhoneError:
        return None
