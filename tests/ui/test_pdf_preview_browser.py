"""The signing preview opens in Chromium's own PDF viewer: on a wide screen the documents page
frames the package's PDF, sent inline under finplatform.uploads.INLINE_POLICY (no script, no
fetch, framed only by our own pages), and the viewer loads the document inside that frame. A
blocked frame (a refused policy or framing) shows Chromium's error page instead."""

import pytest
from django.utils import timezone

from tests.support.ledger import ensure_default_table
from tests.support.workflow import issued_case
from tests.ui.conftest import screenshot
from tests.ui.test_layout_browser import sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PDF_VIEWER = "chrome-extension://"  # Chromium's built-in PDF viewer runs as an extension


def _viewer_title(page, frame, *, tries=100) -> str:
    """The title the PDF viewer inside `frame` shows once it has read the document ('' if no
    viewer opened there); it polls with page.wait_for_timeout so browser events keep coming."""
    for _ in range(tries):
        viewers = [f for f in frame.child_frames if f.url.startswith(PDF_VIEWER)]
        title = viewers[0].evaluate("document.title") if viewers else ""
        if title:
            return title
        page.wait_for_timeout(100)
    return ""


def test_the_inline_preview_shows_in_the_browsers_pdf_viewer(page_factory, live_server):
    ensure_default_table()  # transactional tests that ran before flushed the data migration
    world = issued_case(language="ru")
    borrower = world.case.borrower
    borrower.identified_at = timezone.now()
    borrower.save(update_fields=["identified_at"])
    page = page_factory(language="ru", mobile=False)
    sign_in(page, borrower)
    page.goto(f"/portal/cases/{world.case.pk}/documents/")
    slot = page.wait_for_selector("details.doc[open] iframe", state="attached")
    frame = slot.content_frame()
    frame.wait_for_load_state()
    assert frame.url == live_server.url + slot.get_attribute("src"), frame.url
    assert _viewer_title(page, frame), [child.url for child in frame.child_frames]
    slot.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # the page drawn, for the screenshot
    screenshot(page, "documents-pdf-preview", full_page=False)
