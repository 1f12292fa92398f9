from django.urls import path

from portal.views import account

urlpatterns = [
    path("login/", account.login_view, name="login"),
]
