from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from finplatform import views
from finplatform.signin import ThrottledAdminLoginForm, admin_login

admin.site.login_form = ThrottledAdminLoginForm  # the one sign-in policy, admin included

urlpatterns = [
    path("", include("portal.root_urls")),  # `/` (name "home"): the front page
    path("", include("creditor_portal.root_urls")),
    # browsers ask for /favicon.ico on pages that do not link the icon (PDFs, the admin)
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("portal/schedule/", include(("portal.schedule_urls", "schedules"))),
    path("api/v1/", include("provider_api.urls")),
    path("portal/", include("portal.urls")),
    path("creditor/", include("creditor_portal.urls")),
    path("admin/analytics/", include("ombudsman.urls")),
    path("admin/login/", admin_login),  # admin's own sign-in + the staff member's language
    path("admin/", admin.site.urls),
    path("metrics", include("ombudsman.metrics_urls")),  # Prometheus, token only
    path("api/v1/creditor/", include("creditor_portal.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
]

handler400 = "finplatform.views.bad_request"
handler403 = "finplatform.views.permission_denied"
handler404 = "finplatform.views.page_not_found"
handler500 = "finplatform.views.server_error"
