"""The platform's URLs plus one view that fails, to see the 500 page as a user would."""

from django.urls import path

from finplatform.urls import urlpatterns as platform_urls


def boom(request):
    raise ZeroDivisionError("secret-detail")


urlpatterns = [path("boom/", boom), *platform_urls]
