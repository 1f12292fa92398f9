from finplatform import devclock
from finplatform.clock import business_now
from finplatform.roles import role_of


def roles(request):
    return {"user_role": role_of(request.user) if request.user.is_authenticated else None}


def dev_clock(request):
    """The development clock's toolbar (dev only): business time when it runs ahead."""
    if not devclock.enabled() or not devclock.offset():
        return {}
    return {"dev_clock_now": business_now()}
