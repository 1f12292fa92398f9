from finplatform import devclock
from finplatform.clock import business_now
from finplatform.roles import role_of


def roles(request):
    # no `user` on a request refused before the authentication middleware (a foreign Host, a
    # NUL byte in the path): its error page is rendered as for someone signed out
    user = getattr(request, "user", None)
    return {"user_role": role_of(user) if user is not None and user.is_authenticated else None}


def dev_clock(request):
    """The development clock's toolbar (dev only): business time when it runs ahead."""
    if not devclock.enabled() or not devclock.offset():
        return {}
    return {"dev_clock_now": business_now()}
