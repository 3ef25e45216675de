"""Chinese numerals as digits, only where they are numbers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.readers.numbers import cjk_numeral, cjk_to_digits
from tests.dialogs.readers.junk import fuzz, junk, typed_times


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("十二", "12"),
        ("二十五", "25"),
        ("一百零五", "105"),
        ("一千零五十", "1050"),
        ("三千五", "3500"),  # colloquial: the digit after 千 is the hundreds
        ("兩百五", "250"),
        ("一千二", "1200"),
        ("三千五百", "3500"),
        ("三千零五", "3005"),  # 零 keeps the digit where it is
        ("一萬二", "1萬2"),  # the amount reader takes 萬 and the bare 2 after it
        ("兩萬", "2萬"),
        ("十二萬", "12萬"),
        ("一萬三千五", "1萬3500"),
        ("一萬零五百", "1萬500"),
        ("一億兩千萬", "1億2000萬"),
        ("3千五", "3千5"),
        ("3千五百", "3千500"),
        ("三期", "3期"),
        ("分十二期", "分12期"),
        ("一個月6000", "1個月6000"),
        ("6000一個月", "6000 1個月"),  # never 60001
        ("十二月二十五日", "12月25日"),
        ("一月五號", "1月5號"),
        ("一一五年", "115年"),  # an ROC year, digit by digit
        ("二〇二六年", "2026年"),
        ("三", "3"),
        # two neighbouring digits are a range
        ("四五萬", "4-5萬"),
        ("兩三個月", "2-3個月"),
        ("三四十萬", "30-40萬"),
        ("十四五萬", "14-15萬"),
        ("四五千", "4000-5000"),
        # words, not numbers
        ("第一銀行", "第一銀行"),
        ("我一定付", "我一定付"),
        ("萬一付不出來", "萬一付不出來"),
        ("千萬不要", "千萬不要"),
        ("百貨公司", "百貨公司"),
        ("十分感謝", "十分感謝"),
        ("國泰世華", "國泰世華"),
        ("下週一", "下週一"),  # a weekday: the date reader reads it
        ("三千五萬", "三千五萬"),  # 3,005 or 3,500 ten-thousands: not guessed
    ],
)
def test_chinese_numerals_become_digits_only_where_they_are_numbers(typed: str, digits: str) -> None:
    assert cjk_to_digits(typed) == digits


@pytest.mark.parametrize(("run", "value"), [("十", 10), ("十五", 15), ("二十", 20), ("九十九", 99), ("一百", 100)])
def test_cjk_numeral(run: str, value: int) -> None:
    assert cjk_numeral(run) == value


# Numerals, units, counters and digits jumbled: where the rules above meet.
numerals = st.text(alphabet="零〇一二兩三四五六七八九十百千萬億0123456789期個月年號第分x ,.-", max_size=20)


@fuzz
@given(junk | typed_times | numerals)
def test_reading_the_digits_again_changes_nothing(text: str) -> None:
    """The amount reader reads the text the schedule reader has already rewritten: the positions
    it returns must be those the schedule reader sees."""
    once = cjk_to_digits(text)
    assert cjk_to_digits(once) == once
