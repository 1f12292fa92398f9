from django.urls import path

from borrowers import views

app_name = "borrowers"
urlpatterns = [
    path("", views.portal_home, name="portal"),
    path("register/", views.register_view, name="register"),
    path("identify/", views.identify_view, name="identify"),
]
