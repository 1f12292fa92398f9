from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from borrowers.views import login_view
from finplatform import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login_view, name="login"),
    path("", include("creditor_portal.root_urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include("schedules.urls")),
    path("api/v1/", include("schedules.api_urls")),
    path("portal/", include("borrowers.urls")),
    path("portal/", include("resolution.urls")),
    path("creditor/", include("creditor_portal.urls")),
    path("portal/cases/", include("resolution.borrower_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/creditor/", include("creditor_portal.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"
    ),
]

handler404 = "finplatform.views.page_not_found"
handler500 = "finplatform.views.server_error"
