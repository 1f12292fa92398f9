from django.urls import path

from provider_api.views import PaymentBatchView, PaymentCreateView

urlpatterns = [
    path("payments/", PaymentCreateView.as_view(), name="api-payments"),
    path("payments/batch/", PaymentBatchView.as_view(), name="api-payments-batch"),
]
