from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in borrower's preferred language wins unless they just picked another one
    with the switcher (which sets the language cookie and saves the profile)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            preferred = getattr(getattr(user, "borrower", None), "preferred_language", None)
            if preferred:
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
        return self.get_response(request)
