"""One gate for every uploaded document (assignment agreements, termination documents, court
decisions, income evidence): size, content and file name are checked the same way everywhere,
before anything is stored.

- size: at most settings.UPLOAD_MAX_BYTES (10 MB; the proxy refuses bodies over 12 MB);
- content: by its first bytes, never by the name or the declared type (`%PDF-`; JPEG and PNG
  only where images are allowed): an HTML or SVG page renamed to .pdf is refused;
- name: the last path component only, no control or quoting characters, at most 100
  characters, with the extension of the content found.

`check_upload` raises Django's ValidationError (field errors in forms; the API's handler turns
it into the documented 400 body); `UploadField` / `UploadSerializerField` wrap it for forms
and serializers; both hand on an `Upload` (name, bytes, content type, SHA-256).

The way out is one door too: `serve` answers a stored or rendered document, and
`download_headers` marks any response (the CSV exports, finplatform.csvexport) the same way:
the name per RFC 6266/5987 (Cyrillic, Kazakh and quotes survive), no sniffing, no copy in a
shared computer's cache, and a policy under which nothing in the file runs in the site's
origin. `inline=True` (the borrower's preview before signing) drops only `sandbox`: a sandbox
forbids plugins, and a browser whose PDF viewer is one may then show nothing (Chromium 156 still
shows it; a sandboxed iframe it does not); scripts and every fetch stay forbidden, and only our
own pages may frame it (tests/ui/test_pdf_preview_browser.py opens it in Chromium).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from finplatform.errors import ApplicationError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
MAGIC = {PDF: (b"%PDF-",), JPEG: (b"\xff\xd8\xff",), PNG: (b"\x89PNG\r\n\x1a\n",)}
EXTENSION = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
PDF_ONLY = (PDF,)
PDF_OR_IMAGE = (PDF, JPEG, PNG)
NAME_MAX = 100

MSG_MISSING = _("Attach the file.")
MSG_EMPTY = _("The file is empty.")
MSG_TOO_LARGE = _("The file is larger than %(mb)s MB.")
MSG_NOT_PDF = _("The file is not a PDF document.")
MSG_NOT_PDF_OR_IMAGE = _("The file is not a PDF, JPEG or PNG document.")
_UNSAFE = re.compile(r'["\\/:*?<>|;%\x00-\x1f\x7f]')


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes
    content_type: str
    sha256: str


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def content_type_of(content: bytes, allowed=PDF_OR_IMAGE) -> str:
    """The allowed type whose magic bytes `content` starts with, or ''."""
    for kind in allowed:
        if any(content.startswith(magic) for magic in MAGIC[kind]):
            return kind
    return ""


def safe_name(name: str, content_type: str) -> str:
    """The file name to keep: no directories, no control, format or quoting characters, at
    most NAME_MAX characters, ending with the extension of what the content is."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = _UNSAFE.sub("_", name).strip(" .")
    ext = EXTENSION[content_type]
    if stem.lower().endswith(ext) or (ext == ".jpg" and stem.lower().endswith(".jpeg")):
        stem = stem.rsplit(".", 1)[0]
    stem = stem.strip(" .")[: NAME_MAX - len(ext)] or "document"
    return stem + ext


def _refuse(message, code: str, **params):
    raise ValidationError(message, code=code, params=params or None)


def check_upload(upload, *, allowed=PDF_ONLY) -> Upload:
    """An uploaded file (Django's UploadedFile, or anything with read() and name) checked and
    read, or a ValidationError saying what is wrong. An `Upload` passes through."""
    if isinstance(upload, Upload):
        if upload.content_type not in allowed:
            _refuse(MSG_NOT_PDF if allowed == PDF_ONLY else MSG_NOT_PDF_OR_IMAGE, "upload_type")
        return upload
    if upload is None:
        _refuse(MSG_MISSING, "upload_missing")
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:  # refused before reading it
        _refuse(MSG_TOO_LARGE, "upload_too_large", mb=limit // (1024 * 1024))
    if hasattr(upload, "seek"):
        upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        _refuse(MSG_TOO_LARGE, "upload_too_large", mb=limit // (1024 * 1024))
    if not content:
        _refuse(MSG_EMPTY, "upload_empty")
    kind = content_type_of(content, allowed)
    if not kind:
        _refuse(MSG_NOT_PDF if allowed == PDF_ONLY else MSG_NOT_PDF_OR_IMAGE, "upload_type")
    return Upload(
        name=safe_name(getattr(upload, "name", ""), kind), content=content, content_type=kind,
        sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip


def read_upload(upload, *, name: str = "", allowed=PDF_ONLY, code="invalid_document") -> Upload:
    """For services: `check_upload` of an upload, of bytes (named `name`) or of an `Upload`
    a form already checked; a refusal is an ApplicationError (the API's 400 body)."""
    if isinstance(upload, bytes | bytearray):
        upload = ContentFile(bytes(upload), name=name or "document")
    try:
        return check_upload(upload, allowed=allowed)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=code) from None


class UploadField(forms.FileField):
    """A form's file field that cleans to an `Upload` (or a field error)."""

    def __init__(self, *args, allowed=PDF_ONLY, **kwargs):
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return check_upload(upload, allowed=self.allowed) if upload else upload


class UploadSerializerField(serializers.FileField):
    """A serializer's file field that validates to an `Upload` (or a 400 field error)."""

    def __init__(self, *args, allowed=PDF_ONLY, **kwargs):
        self.allowed = allowed
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        upload = super().to_internal_value(data)
        try:
            return check_upload(upload, allowed=self.allowed)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None


# An attachment is never rendered; if a browser did, it would be an opaque sandbox.
ATTACHMENT_POLICY = "default-src 'none'; sandbox"
# The preview: no script, no fetch, no form; the plugin viewer of our own origin may show it,
# framed only by our own documents page.
INLINE_POLICY = (
    "default-src 'none'; object-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'none'"
)


def download_headers(response: HttpResponse, *, name: str, inline: bool = False) -> HttpResponse:
    """`response` marked as the file `name`: attachment (or inline), no sniffing, no cache."""
    response["Content-Disposition"] = content_disposition_header(not inline, name or "document")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_POLICY if inline else ATTACHMENT_POLICY
    response["Cache-Control"] = "private, no-store"
    return response


def serve(content, *, name: str, content_type: str, inline: bool = False) -> HttpResponse:
    """A stored or rendered document as a download (`download_headers`), of its checked type;
    `inline` for a preview the browser shows in its own PDF viewer."""
    response = HttpResponse(bytes(content), content_type=content_type or PDF)
    return download_headers(response, name=name, inline=inline)
