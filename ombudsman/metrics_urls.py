from django.urls import path

from ombudsman.metrics import metrics_view

urlpatterns = [path("", metrics_view, name="metrics")]
