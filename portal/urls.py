"""The borrower's portal under /portal/. The URL names keep their namespaces from before the
portal had its own app: `borrowers:` (account, complaints), `resolution:` (application and
case) and `resolution_portal:` (documents and signing); the schedule pages are in
portal/schedule_urls.py and sign-in in portal/root_urls.py."""

from django.urls import include, path

from portal.views import (
    account,
    application,
    complaints,
    consents,
    enrolment,
    fraud,
    refund,
    signing,
    variation,
)  # fmt: skip

account_patterns = [
    path("", account.portal_home, name="portal"),
    path("complaints/", complaints.complaint_list, name="complaints"),
    path("complaints/<uuid:complaint_id>/", complaints.complaint_detail, name="complaint"),
    path("register/", enrolment.register_view, name="register"),
    path("register/identify/", enrolment.enrol_view, name="enrol"),
    path("forgot-password/", enrolment.forgot_password_view, name="forgot_password"),
    path("identify/", account.identify_view, name="identify"),
    path("phone/", account.change_phone_view, name="change_phone"),
    path("consents/", consents.my_consents, name="consents"),
    path("consents/<str:purpose>/withdraw/", consents.withdraw, name="consent_withdraw"),
    path("consents/<str:purpose>/give/", consents.give, name="consent_give"),
    path("refund/", refund.refund_page, name="refund"),
]
application_patterns = [
    path("apply/", application.apply_view, name="apply"),
    path("cases/<str:reference>/", application.case_detail, name="case"),
    path("cases/<str:reference>/status.json", application.case_status, name="case_status"),
    path("cases/<str:reference>/retry/", application.case_retry, name="case_retry"),
    path(
        "cases/<str:reference>/loans/<uuid:case_loan_id>/not-mine/",
        fraud.loan_not_mine,
        name="loan_not_mine",
    ),  # fmt: skip
    path(
        "end-documents/<uuid:document_id>/",
        application.ending_document_download,
        name="ending_document",
    ),  # fmt: skip
]
signing_patterns = [
    path("<uuid:case_id>/documents/", signing.case_documents, name="documents"),
    path("<uuid:case_id>/sign/code/", signing.request_code, name="request_code"),
    path("<uuid:case_id>/sign/", signing.sign, name="sign"),
    path("<uuid:case_id>/sign/eds/", signing.sign_eds, name="sign_eds"),
    path("documents/<uuid:document_id>/preview/", signing.document_preview, name="preview"),
    path("documents/<uuid:document_id>/download/", signing.document_download, name="download"),
    # a change of the plan (variation)
    path("<uuid:case_id>/changes/", variation.changes, name="variations"),
    path("changes/<uuid:variation_id>/", variation.detail, name="variation"),
    path(
        "changes/<uuid:variation_id>/agreement.pdf", variation.agreement, name="variation_agreement"
    ),
    path("changes/<uuid:variation_id>/evidence/", variation.evidence, name="variation_evidence"),
    path("changes/<uuid:variation_id>/code/", variation.request_code, name="variation_code"),
    path("changes/<uuid:variation_id>/sign/", variation.sign, name="variation_sign"),
]

urlpatterns = [
    path("", include((account_patterns, "borrowers"))),
    path("", include((application_patterns, "resolution"))),
    path("cases/", include((signing_patterns, "resolution_portal"))),
]
