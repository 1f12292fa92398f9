"""The front door at `/`: what the service is and who qualifies, for a visitor who is not
signed in (signed-in users go on to their own pages, finplatform.views.home); and, in dev and
test only, the inbox of every SMS and email the platform sent."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from bureau_gateway.devinbox import sent_emails, sent_sms
from finplatform.views import home
from resolution.selectors.borrower import current_policy


def front_page(request):
    if request.user.is_authenticated:
        return home(request)
    policy = current_policy()
    return render(request, "portal/front.html", {"policy": policy})


def dev_inbox(request):
    """Every SMS (the simulated gateway's outbox) and email sent, newest first. The URL exists
    only when settings.LOCAL; the check here is a second lock."""
    if not settings.LOCAL:
        raise Http404
    context = {"sms": sent_sms(), "emails": sent_emails()}
    return render(request, "portal/dev_inbox.html", context)
