from django.conf import settings
from django.urls import path

from portal.views import account, devclock, front

urlpatterns = [
    path("", front.front_page, name="home"),
    path("login/", account.login_view, name="login"),
]
if settings.LOCAL:  # never in production: the dev inbox shows every code sent
    urlpatterns.append(path("dev/inbox/", front.dev_inbox, name="dev_inbox"))
    # the development clock: business time moved forward (finplatform/devclock.py)
    urlpatterns.append(path("dev/clock/", devclock.dev_clock, name="dev_clock"))
