from django import template

from portal.journey import journey_for_borrower, journey_preview

register = template.Library()


@register.inclusion_tag("includes/stepper.html", takes_context=True)
def journey_stepper(context, preview=False):
    """The borrower's journey stepper; renders nothing for anyone who is not a borrower.
    `preview=True` shows the steps ahead to someone who is still registering."""
    if preview:
        return {"journey": journey_preview()}
    request = context.get("request")
    user = getattr(request, "user", None)
    borrower = getattr(user, "borrower", None) if user and user.is_authenticated else None
    return {"journey": journey_for_borrower(borrower) if borrower is not None else None}
