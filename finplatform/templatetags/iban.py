from django import template

from finplatform.iban import format_iban

register = template.Library()


@register.filter
def iban_groups(value):
    """{{ details.iban|iban_groups }} → KZ86 125K ZT50 0410 0100"""
    return format_iban(value) if value else ""
