"""Plan variations, steps 4–5: the agreement and the signature (issue 14).

* `close_objection_windows` (periodic sweep): a proposal whose objection window closed by now
  with no objection is deemed consented and `issue_agreement` renders the variation agreement
  (PDF in the borrower's language, ru or kk, from the proposal kept on the variation, so a
  re-render gives the same bytes) and opens the 72-hour signing window.
* The borrower signs by a one-time SMS code or EDS over the agreement's SHA-256, like the
  package (`signing.py`): a signature at or after the deadline is refused even before the
  sweep ran; `expire_unsigned_variations` (periodic sweep) closes the late ones.
* On signature the plan gets its next schedule version (`schedules.services.versions`),
  computed from the balance on the signing date with the agreed parameters, in the same
  transaction; borrower and creditors are told (webhook `variation.signed`).
"""

from __future__ import annotations

import hashlib
import os
from datetime import timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from bureau_gateway.adapters import get_adapter
from finplatform import onetime_codes
from finplatform.clock import BUSINESS_TZ, business_date, business_deadline_text, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import format_tenge
from finplatform.throttle import CODES_ISSUED
from resolution import trail
from resolution.models import SigningMethod, Variation, VariationCode, VariationStatus
from resolution.policy import policy, signing_deadline
from resolution.selectors.variations import live_shares
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.services.signing import MSG_EDS_INVALID
from resolution.services.variations import change_of, lock_variation
from resolution.workflow import record_on_trail
from schedules.models import Plan
from schedules.services.versions import vary_schedule

os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # same bytes for the same proposal

MSG_NOT_SIGNABLE = _("This variation agreement cannot be signed now.")
MSG_DEADLINE_PASSED = _("The 72-hour signing window has closed.")
TITLES = {"ru": "Соглашение об изменении графика погашения",
          "kk": "Өтеу кестесін өзгерту туралы келісім"}  # fmt: skip
KIND_TITLES = {
    "ru": {"holiday": "платёжные каникулы", "lower": "снижение ежемесячного платежа",
           "catch_up": "погашение просрочки в рассрочку"},
    "kk": {"holiday": "төлем демалысы", "lower": "ай сайынғы төлемді азайту",
           "catch_up": "мерзімі өткен берешекті бөліп өтеу"},
}  # fmt: skip


def snapshot(variation: Variation) -> dict:
    """What the agreement shows: the proposal kept on the variation, nothing read live
    except names that cannot change."""
    case = variation.case
    plan = Plan.objects.get(case_id=case.pk)
    shares = live_shares(plan)
    proposed_on = variation.proposed_at.astimezone(BUSINESS_TZ).date()
    return {
        "case": {"reference": case.reference},
        "decision": {"decided_at": variation.proposed_at.isoformat(),
                     "decided_on": proposed_on.strftime("%d.%m.%Y")},
        "borrower": {"full_name": case.borrower.full_name, "iin": case.borrower.iin},
        "kind": variation.kind, "holiday_months": variation.holiday_months,
        "anchor_due": variation.anchor_due.strftime("%d.%m.%Y"),
        "total_tiyn": plan.total_tiyn,
        "creditors": [{"name": s.creditor.name, "debt_tiyn": s.debt_tiyn} for s in shares],
        **variation.proposal,
    }  # fmt: skip


def render_agreement(variation: Variation, language: str) -> bytes:
    language = language if language in TITLES else "ru"
    html = render_to_string(f"documents/{language}/variation.html", {
        "s": snapshot(variation), "title": TITLES[language], "language": language,
        "kind_title": KIND_TITLES[language][variation.kind]})  # fmt: skip
    return HTML(string=html).write_pdf()


def issue_agreement(*, variation_id) -> bool:
    """Deemed consent: render the agreement (outside the lock), then under the lock move
    PROPOSED → AWAITING_SIGNATURE with a 72-hour deadline and tell the borrower. Safe to
    run twice; a variation objected to meanwhile is left alone."""
    variation = Variation.objects.select_related("case__borrower").get(pk=variation_id)
    if variation.status != VariationStatus.PROPOSED:
        return False
    language = variation.case.borrower.preferred_language
    language = language if language in TITLES else "ru"
    pdf = render_agreement(variation, language)
    with transaction.atomic():
        variation = lock_variation(variation_id)
        now = business_now()
        if variation.status != VariationStatus.PROPOSED or now < variation.objection_deadline:
            return False
        variation.status = VariationStatus.AWAITING_SIGNATURE
        variation.document, variation.document_language = pdf, language
        variation.document_sha256 = hashlib.sha256(pdf).hexdigest()
        variation.issued_at, variation.signing_deadline = now, signing_deadline(now)
        variation.save()
        record_on_trail(
            case=variation.case,
            reason=f"variation {variation.pk}: no objection, agreement issued",
            reason_code=trail.VARIATION_ISSUED,
        )
        notify_borrower(case=variation.case, template_key="variation_issued", cabinet=True,
                        context={"deadline": business_deadline_text(variation.signing_deadline)},
                        dedup=str(variation.pk))  # fmt: skip
    return True


def close_objection_windows() -> int:
    """The periodic sweep: every proposal whose window closed by now without an objection
    (silence is consent). Idempotent; a worker that was down catches up on its next run."""
    due = Variation.objects.filter(
        status=VariationStatus.PROPOSED, objection_deadline__lte=business_now()
    ).values_list("pk", flat=True)
    return sum(issue_agreement(variation_id=pk) for pk in list(due))


def _signable(variation: Variation, now) -> Variation:
    if variation.status != VariationStatus.AWAITING_SIGNATURE:
        raise ConflictError(MSG_NOT_SIGNABLE, code="not_signable")
    if now >= variation.signing_deadline:
        raise ConflictError(MSG_DEADLINE_PASSED, code="signing_deadline_passed")
    return variation


def _code_scope(variation: Variation) -> str:
    return f"variation:{variation.pk}"  # a package's code never signs a variation


@transaction.atomic
def issue_code(*, variation_id) -> tuple[VariationCode, str]:
    """A fresh 6-digit code (earlier unused ones stop working); only its HMAC is stored."""
    now = business_now()
    variation = _signable(lock_variation(variation_id), now)
    if CODES_ISSUED.hit(f"sign-variation:{variation_id}") > CODES_ISSUED.limit:
        raise ApplicationError(onetime_codes.MSG_TOO_MANY_CODES, code="too_many_codes")
    ttl = timedelta(minutes=policy("SIGNING_CODE_TTL_MINUTES"))
    return onetime_codes.issue(variation.codes, scope=_code_scope(variation), now=now, ttl=ttl)


def send_code(*, variation_id) -> str:
    """Issue a code and text it to the borrower (the HTTP call outside any lock)."""
    row, code = issue_code(variation_id=variation_id)
    variation = Variation.objects.select_related("case__borrower").get(pk=variation_id)
    text = str(_("Finkelisim: your code to sign the variation of %(ref)s is %(code)s")) % {
        "ref": variation.case.reference, "code": code}  # fmt: skip
    return get_adapter("sms").send(phone=variation.case.borrower.phone, text=text,
                                   dedup_key=f"variation-code:{row.pk}")  # fmt: skip


@transaction.atomic
def _consume_code(*, variation_id, code: str) -> str | None:
    now = business_now()
    variation = _signable(lock_variation(variation_id), now)
    return onetime_codes.consume(variation.codes, code, scope=_code_scope(variation), now=now,
                                 max_attempts=policy("SIGNING_CODE_MAX_ATTEMPTS"))  # fmt: skip


def sign_with_code(*, variation_id, code: str, ip: str | None = None) -> Variation:
    error = _consume_code(variation_id=variation_id, code=code)
    if error:
        raise ApplicationError(onetime_codes.MESSAGES[error], code=error)
    return _record(variation_id=variation_id, method=SigningMethod.SMS_CODE, ip=ip)


def sign_with_eds(*, variation_id, signature: str, ip: str | None = None) -> Variation:
    """Verify an EDS over the agreement's SHA-256 through the identity adapter, then sign."""
    variation = Variation.objects.select_related("case__borrower").get(pk=variation_id)
    _signable(variation, business_now())
    result = get_adapter("identity").verify_document_signature(
        iin=variation.case.borrower.iin, signed_payload=variation.document_sha256,
        signature=signature,
    )  # fmt: skip
    if not result.verified:
        raise ApplicationError(MSG_EDS_INVALID, code="eds_invalid")
    return _record(variation_id=variation_id, method=SigningMethod.EDS, ip=ip, eds=signature)


@transaction.atomic
def _record(*, variation_id, method: str, ip: str | None, eds: str = "") -> Variation:
    now = business_now()
    variation = _signable(lock_variation(variation_id), now)  # deadline re-checked under lock
    case = variation.case
    plan = Plan.objects.get(case_id=case.pk)
    version = vary_schedule(plan_id=plan.pk, change=change_of(variation, variation.anchor_due),
                            on=business_date(), source_key=f"variation:{variation.pk}")  # fmt: skip
    variation.status, variation.signed_at, variation.closed_at = VariationStatus.SIGNED, now, now
    variation.signature_method, variation.eds_signature, variation.signed_ip = method, eds, ip
    variation.version_number = version.number
    variation.save()
    record_on_trail(
        case=case,
        actor=case.borrower.user,
        reason=f"variation {variation.pk} signed by {method}: version {version.number}",
        reason_code=trail.VARIATION_SIGNED,
        reason_args={"method": str(method), "version": version.number},
    )
    context = {"version": version.number, "monthly": format_tenge(version.monthly_tiyn)}
    notify_borrower(case=case, template_key="variation_signed", context=context, cabinet=True,
                    dedup=str(variation.pk))  # fmt: skip
    for creditor in {s.creditor_id: s.creditor for s in live_shares(plan)
                     }.values():  # fmt: skip
        notify_creditor(
            creditor=creditor, case=case, template_key="variation_signed_creditor",
            event="variation.signed", context=context, dedup=str(variation.pk),
            payload={"variation": {"id": str(variation.pk), "version": version.number,
                                   "effective_on": version.effective_on.isoformat()}},
        )  # fmt: skip
    return variation


REMINDER_HOURS_BEFORE = (24, 2)  # as for the package (SPEC §3)


def remind_unsigned_variations() -> int:
    """Remind the borrower 24 h and 2 h before an agreement's deadline; each reminder has its
    own dedup key, so a sweep that runs twice (or late) sends it once."""
    now, sent = business_now(), 0
    for hours in REMINDER_HOURS_BEFORE:
        due = Variation.objects.filter(
            status=VariationStatus.AWAITING_SIGNATURE, signing_deadline__gt=now,
            signing_deadline__lte=now + timedelta(hours=hours),
        ).select_related("case__borrower").defer("evidence", "document")  # fmt: skip
        for variation in due:
            with transaction.atomic():
                sent += len(notify_borrower(
                    case=variation.case, template_key="variation_signing_reminder",
                    dedup=f"{variation.pk}:{hours}h",
                    context={"deadline": business_deadline_text(variation.signing_deadline)},
                ))  # fmt: skip
    return sent


def expire_unsigned_variations() -> int:
    """The periodic sweep: an agreement not signed by its deadline expires (the current
    schedule stays). Idempotent; one signed meanwhile is left alone."""
    due = Variation.objects.filter(
        status=VariationStatus.AWAITING_SIGNATURE, signing_deadline__lte=business_now()
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            variation = lock_variation(pk)
            if variation.status != VariationStatus.AWAITING_SIGNATURE:
                continue
            variation.status, variation.closed_at = VariationStatus.EXPIRED, business_now()
            variation.save(update_fields=["status", "closed_at"])
            record_on_trail(case=variation.case, reason=f"variation {pk} not signed in time",
                            reason_code=trail.VARIATION_EXPIRED)  # fmt: skip
            notify_borrower(case=variation.case, template_key="variation_expired",
                            cabinet=True, dedup=str(pk))  # fmt: skip
            expired += 1
    return expired
