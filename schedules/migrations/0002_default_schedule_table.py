"""The default schedule table (SPEC §3). The four fixed points of the announcement are
exact; the brackets in between are policy: the term grows with the debt so that the payment
stays near ceil(bracket top / term) rounded up to 1,000 KZT, at most 60 months (general) and
84 months (vulnerable)."""

import datetime

from django.db import migrations

KZT = 100  # tiyn
MILLION = 1_000_000 * KZT

# category, debt to (KZT, inclusive), term months; "from" is the previous bracket's top + 1 tiyn.
BRACKETS = {
    "general": [(1, 12), (2, 24), (3, 36), (4, 48), (5, 60), (7, 60)],
    "vulnerable": [(1, 18), (2, 36), (3, 54), (4, 72), (5, 84), (7, 84)],
}


def max_monthly(top_tiyn: int, term: int) -> int:
    """ceil(top / term) rounded up to a whole 1,000 KZT."""
    step = 1000 * KZT
    monthly = -(-top_tiyn // term)
    return -(-monthly // step) * step


def create(apps, schema_editor):
    Version = apps.get_model("schedules", "ScheduleTableVersion")
    Bracket = apps.get_model("schedules", "ScheduleBracket")
    version = Version.objects.create(
        label="Default table (announcement)",
        effective_from=datetime.date(2024, 1, 1),
        notes="Shipped defaults. Edit by creating a new version.",
    )
    for category, rows in BRACKETS.items():
        start = 1
        for top_million, term in rows:
            top = top_million * MILLION
            Bracket.objects.create(
                version=version, category=category, debt_from_tiyn=start, debt_to_tiyn=top,
                term_months=term, max_monthly_tiyn=max_monthly(top, term),
            )
            start = top + 1


def remove(apps, schema_editor):
    apps.get_model("schedules", "ScheduleTableVersion").objects.filter(
        label="Default table (announcement)"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("schedules", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
