"""Form fields that tell assistive technology about their errors and hints: an invalid field
gets aria-invalid and points (aria-describedby) at its error and help texts."""

from django import template

register = template.Library()


@register.filter
def accessible(field):
    """Render `field`'s widget with aria-invalid / aria-describedby set from its state."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-help")
    attrs = {}
    if field.errors:
        attrs["aria-invalid"] = "true"
        described.append(f"{field.auto_id}-error")
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
