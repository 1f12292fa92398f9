from django.urls import path

from schedules.api import PaymentCreateView

urlpatterns = [path("payments/", PaymentCreateView.as_view(), name="api-payments")]
