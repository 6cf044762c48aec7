"""One way to show a number: grouped by thousands in every language, at the precision the figure
calls for (a goal's unit and aggregation, money at 2 decimals, percentages at 1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from teams.numbers import format_money, format_number, format_percent, places_for


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_numbers_are_grouped_by_thousands_in_every_language(language):
    with translation.override(language):
        assert format_number(Decimal("30000000.0000")) == "30,000,000"
        assert format_number(Decimal("12125.0000"), 0) == "12,125"
        assert format_number(Decimal("136737.4286"), 2) == "136,737.43"
        assert format_number(Decimal("-1234.5"), 1) == "-1,234.5"
        assert format_money(Decimal("20000")) == "20,000.00"
        assert format_percent(Decimal("74.66")) == "74.7%"
        assert format_percent(Decimal("5")) == "5.0%"


def test_negative_places_drop_trailing_zeros():
    assert format_number(Decimal("0.250"), -3) == "0.25"
    assert format_number(Decimal("1.000"), -3) == "1"
    assert format_number(Decimal("12345.6789"), -2) == "12,345.68"
    assert format_number(Decimal("100"), -2) == "100"


def test_rounding_is_half_up_and_never_shows_minus_zero():
    assert format_number(Decimal("2.5"), 0) == "3"
    assert format_number(Decimal("-0.0001"), 2) == "0.00"
    assert format_number(Decimal("0.125"), 2) == "0.13"


def test_missing_values_read_as_a_dash_and_text_is_left_alone():
    assert format_number(None) == "—"
    assert format_money(None) == "—"
    assert format_percent(None) == "—"
    assert format_number("abc") == "abc"


@pytest.mark.parametrize(
    ("unit", "aggregation", "places"),
    [
        ("users", "sum", 0),
        ("users", "latest", 0),
        ("", "sum", 0),
        ("%", "latest", 1),
        ("％", "average", 1),
        ("¥", "sum", 2),
        ("元", "sum", 2),
        ("CNY", "sum", 2),
        ("万元", "sum", 2),
        ("visits", "average", 1),
    ],
)
def test_the_places_a_figure_shows_follow_its_unit_and_aggregation(unit, aggregation, places):
    assert places_for(unit=unit, aggregation=aggregation) == places


class Figure:
    number_places = 1


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_template_filters(language):
    template = Template(
        "{% load numbers %}{{ a|num }} {{ b|num:2 }} {{ b|num:figure }} {{ c|money }} {{ d|pct }} {{ e|num }}"
    )
    with translation.override(language):
        text = template.render(Context({
            "a": Decimal("30000000.0000"), "b": Decimal("14.0400"), "c": Decimal("1234567.5"),
            "d": Decimal("108.46"), "e": None, "figure": Figure(),
        }))  # fmt: skip
    assert text == "30,000,000 14.04 14.0 1,234,567.50 108.5% —"


def test_floatformat_groups_in_chinese_too():
    """Django's own zh_Hans formats drop the separator (and group by 4); Stretch's groups by 3."""
    with translation.override("zh-hans"):
        text = Template('{{ v|floatformat:"2g" }}').render(Context({"v": Decimal("30000000")}))
    assert text == "30,000,000.00"


def test_a_goal_and_a_supporting_metric_say_how_many_decimals_they_show():
    from goals.models import Goal, SupportingMetric

    assert Goal(unit="users", aggregation="sum").number_places == 0
    assert Goal(unit="¥", aggregation="sum").number_places == 2
    assert Goal(unit="%", aggregation="latest").number_places == 1
    assert SupportingMetric(unit="%").number_places == 1
    assert SupportingMetric(unit="").number_places == 0


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_quick_formatting_writes_what_djangos_number_format_writes(language):
    """Pages print figures through Python's own grouping (much cheaper); the text is Django's."""
    import random

    from django.utils import formats

    from teams.numbers import _grouped

    rng = random.Random(7)
    values = [Decimal(0), Decimal("0.50"), Decimal("-0.5"), Decimal("999999.99"), Decimal("-1234567.8")]
    values += [Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 4)) for _ in range(500)]
    with translation.override(language):
        for value in values:
            for places in (0, 1, 2, 4):
                rounded = value.quantize(Decimal(1).scaleb(-places))
                expected = formats.number_format(rounded, places, use_l10n=True, force_grouping=True)
                assert _grouped(rounded, places) == expected


@pytest.mark.parametrize("language", ["en", "zh-hans", "de"])
def test_a_pages_formatter_writes_what_format_number_and_format_percent_write(language):
    """A page of many figures formats them with `number_formatter` (the language read once): the
    same text, whatever the figure — rounding, "-0", missing values, text, huge numbers."""
    import random

    from teams.numbers import number_formatter

    rng = random.Random(11)
    values: list[object] = [None, "", "n/a", 12, 3.5, Decimal("NaN"), Decimal("Infinity"), Decimal("1E+20")]
    values += [Decimal(0), Decimal("-0.004"), Decimal("0.005"), Decimal("-0.005"), Decimal("999999.995")]
    values += [Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 4)) for _ in range(300)]
    with translation.override(language):
        for places in (0, 1, 2, 4):
            plain, percent = number_formatter(places), number_formatter(places, percent=True)
            for value in values:
                assert plain(value) == format_number(value, places), (value, places)
                assert percent(value) == format_percent(value, places), (value, places)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_tree_pages_formatter_by_places_writes_what_format_number_writes(language):
    """The goal tree page formats thousands of figures with the language read once: the same text."""
    import random

    from teams.numbers import number_formatter_by_places

    rng = random.Random(11)
    values: list[object] = [None, "", "n/a", 3, 2.5, Decimal(0), Decimal("-0.0001"), Decimal("0E-10"),
                            Decimal("2.5"), Decimal("NaN"), Decimal("1e200"), Decimal("-1e-200"), Decimal("1e26"), True]  # fmt: skip
    values += [Decimal(rng.randint(-(10**12), 10**12)).scaleb(-rng.randint(0, 6)) for _ in range(500)]
    with translation.override(language):
        formatted = number_formatter_by_places()

        def outcome(write, value: object, places: int) -> str:
            try:
                return write(value, places)
            except ArithmeticError as error:  # beyond the decimal context: the same error both ways
                return type(error).__name__

        for value in values:
            for places in (-3, 0, 1, 2, 4, 6):
                assert outcome(formatted, value, places) == outcome(format_number, value, places), (
                    value,
                    places,
                )
