from django import template

from finplatform.money import format_tenge

register = template.Library()


@register.filter
def tenge(tiyn):
    """{{ amount_tiyn|tenge }} → 1 234 567,89 ₸"""
    return format_tenge(tiyn)
