"""{{ moment|deadline }} → "до 23:59, 4 декабря 2026"; {{ moment|deadline_moment }} → "23:59,
4 декабря 2026" (under a heading that already says "by"). Almaty time, the active language
(finplatform/datetext.py)."""

from django import template

from finplatform.clock import BUSINESS_TZ, business_deadline_text
from finplatform.datetext import moment_text

register = template.Library()


@register.filter
def deadline(moment):
    return business_deadline_text(moment) if moment else ""


@register.filter
def deadline_moment(moment):
    return moment_text(moment.astimezone(BUSINESS_TZ)) if moment else ""
