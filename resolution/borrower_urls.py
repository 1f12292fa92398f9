from django.urls import path

from resolution import borrower_views as v

app_name = "resolution_portal"
urlpatterns = [
    path("<uuid:case_id>/documents/", v.case_documents, name="documents"),
    path("<uuid:case_id>/sign/code/", v.request_code, name="request_code"),
    path("<uuid:case_id>/sign/", v.sign, name="sign"),
    path("<uuid:case_id>/sign/eds/", v.sign_eds, name="sign_eds"),
    path("documents/<uuid:document_id>/preview/", v.document_preview, name="preview"),
    path("documents/<uuid:document_id>/download/", v.document_download, name="download"),
]
