from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from finplatform import views

# One "schedules" namespace for two front doors: the borrower's schedule pages and the
# creditor's payouts and statements (`schedules:borrower_schedule`, `schedules:statement_csv`).
SCHEDULES = [
    path("portal/schedule/", include("portal.schedule_urls")),
    path("", include("schedules.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("portal.root_urls")),
    path("staff/login/", views.StaffLoginView.as_view(), name="staff_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include((SCHEDULES, "schedules"))),
    path("api/v1/", include("provider_api.urls")),
    path("portal/", include("portal.urls")),
    path("creditor/", include("creditors.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/creditor/", include("resolution.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
]

handler404 = "finplatform.views.page_not_found"
handler500 = "finplatform.views.server_error"
