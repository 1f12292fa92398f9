"""The headers every download door must send (finplatform.uploads.download_headers), checked
the way a browser reads them: the file name parsed back out of Content-Disposition."""

from __future__ import annotations

from django.db import connection
from django.utils.http import parse_header_parameters

PDF = "application/pdf"
CSV = "text/csv; charset=utf-8"
# Cyrillic and Kazakh letters, quotes and a semicolon: before the shared helper each of these
# broke the hand-written `filename="…"` (a quote ends it early, a semicolon starts a parameter,
# a non-ASCII name is not a valid header value)
NAMES = ('Протокол "Қарыз" №1; копия.pdf', 'protocol "AB-1"; x=y.pdf')


def assert_download(response, *, name: str, content_type: str = PDF, inline: bool = False):
    """A 200 offering the file `name` (parsed back exactly), nosniff, never cached, under a
    policy that runs nothing: sandboxed as an attachment, framed only by us when inline."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == content_type
    header = response["Content-Disposition"]
    assert header.isascii(), header
    disposition, params = parse_header_parameters(header)
    assert (disposition, params) == ("inline" if inline else "attachment", {"filename": name})
    if not name.isascii():
        assert "filename*=utf-8''" in header  # RFC 5987: the name percent-encoded as UTF-8
    assert response["X-Content-Type-Options"] == "nosniff"
    # the admin's never_cache adds its own directives (max-age=0, no-cache, must-revalidate)
    cache = {directive.strip() for directive in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache, response["Cache-Control"]
    policy = [part.strip() for part in response["Content-Security-Policy"].split(";")]
    assert "default-src 'none'" in policy
    if inline:
        assert "sandbox" not in policy and "frame-ancestors 'self'" in policy
    else:
        assert "sandbox" in policy
    return response


def assert_each_name(client, url: str, rename, *, inline: bool = False) -> None:
    """For each of NAMES: `rename(name)` stores it, and the download at `url` offers exactly it."""
    for name in NAMES:
        rename(name)
        assert_download(client.get(url), name=name, inline=inline)


def renames(rows, field: str, *, append_only: bool = False):
    """A `rename` for assert_each_name: stores the name in `field` of the queryset `rows`. The
    names the platform writes today are ASCII; an `append_only` table (a trigger refuses
    UPDATE) has its triggers lifted for that one UPDATE, inside the test's transaction."""

    def rename(name: str) -> None:
        if not append_only:
            rows.update(**{field: name})
            return
        table = connection.ops.quote_name(rows.model._meta.db_table)
        with connection.cursor() as cursor:
            # ALTER TABLE refuses while deferred foreign-key checks are pending on the table
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            rows.update(**{field: name})
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    return rename
