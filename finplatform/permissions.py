"""View decorators that admit one role each. A wrong role gets 403; scoping of objects to
the caller's own borrower or organisation happens in the selectors (404 for others)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from finplatform.roles import BORROWER, CREDITOR_STAFF, role_of


def _require(role: str):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


borrower_required = _require(BORROWER)
creditor_staff_required = _require(CREDITOR_STAFF)
