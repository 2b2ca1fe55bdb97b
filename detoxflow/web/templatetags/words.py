"""`{% load words %}`: `{{ value|in_words }}` shows a stored value as a reader says it ("Yes", not "True")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def in_words(value: object) -> object:
    """True and False as Yes and No; anything else unchanged (0 stays 0, which `yesno` would call No)."""
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return value
