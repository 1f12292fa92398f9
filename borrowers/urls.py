from django.urls import path

from borrowers import views

app_name = "borrowers"
urlpatterns = [
    path("", views.portal_home, name="portal"),
]
