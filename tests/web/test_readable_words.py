"""Words a reader says, not codes: one date and time format everywhere, and Yes/No for a rule that is on or off."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.template import Context, Template, TemplateSyntaxError

from detoxflow.accounts.permissions import Role

# 15:04:05 UTC on Monday 2 November 2026 is 10:04:05 in New York (EST): the facility's TIME_ZONE.
MOMENT = dt.datetime(2026, 11, 2, 15, 4, 5, tzinfo=dt.UTC)


def render(source, **context):
    return Template("{% load datetimes words %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ m|when }}", "Mon 2 Nov 2026, 10:04"),
        ('{{ m|when:"short" }}', "Mon 2 Nov, 10:04"),
        ('{{ m|when:"date" }}', "Mon 2 Nov 2026"),
        ('{{ m|when:"short_date" }}', "Mon 2 Nov"),
        ('{{ m|when:"time" }}', "10:04"),
        ('{{ m|when:"seconds" }}', "Mon 2 Nov 2026, 10:04:05"),
        ("{{ d|when }}", "Wed 25 Nov 2026"),
        ('{{ d|when:"short" }}', "Wed 25 Nov"),
        ("{{ none|when }}", ""),
    ],
    ids=["datetime", "short", "date", "short-date", "time", "seconds", "a-date", "a-date-short", "nothing"],
)
def test_when_writes_times_in_the_facility_zone_in_one_format(source, expected):
    assert render(source, m=MOMENT, d=dt.date(2026, 11, 25), none=None) == expected


def test_when_refuses_a_length_it_does_not_know():
    with pytest.raises(TemplateSyntaxError, match="unknown length 'long'"):
        render('{{ m|when:"long" }}', m=MOMENT)


def test_django_date_filter_without_a_format_uses_the_product_format_not_the_locale():
    # Django prefers its en-us locale ("Nov. 2, 2026") to settings.DATE_FORMAT unless a format module says
    # otherwise: a plain |date on any page must read like the rest of the product.
    assert render("{{ m|date }}", m=MOMENT) == "Mon 2 Nov 2026"
    assert render('{{ m|date:"DATETIME_FORMAT" }}', m=MOMENT) == "Mon 2 Nov 2026, 10:04"
    assert render('{{ m|date:"SHORT_DATETIME_FORMAT" }}', m=MOMENT) == "Mon 2 Nov, 10:04"
    assert render("{{ m|time }}", m=MOMENT) == "10:04"
    assert settings.TIME_FORMAT == "H:i"  # the ward's 24-hour clock, no a.m./p.m.


@pytest.mark.parametrize(("value", "expected"), [(True, "Yes"), (False, "No"), (0, "0"), (12, "12"), ("", "")], ids=str)
def test_in_words_says_yes_and_no_and_leaves_numbers_alone(value, expected):
    assert render("{{ v|in_words }}", v=value) == expected


def test_rules_page_says_yes_and_no_not_true_and_false(client_as):
    page = client_as(Role.NURSE).get("/clinical-rules/").content.decode()
    cells = re.findall(r'<td data-label="(?:In force|Default)">([^<]*)', page)
    assert "Yes" in cells
    assert "No" in cells
    assert not {"True", "False"} & {c.strip() for c in cells}
