"""The demo world: creditors, borrowers and what the credit bureau knows about them.

Pure data (no Django models), shared by the bureau simulator, which serves it over HTTP,
and by `manage.py seed_demo`, which creates the matching accounts. IINs and BINs are real
valid numbers built with the official control-digit algorithm.
"""

from datetime import date

from finplatform.kzid import make_bin, make_iin

DEMO_PASSWORD = "demo-pass-2026"


def _bin(serial: int) -> str:
    return make_bin(date(2004, 5, 1), serial=serial)


CREDITORS = [
    {"key": "alem", "name": "Alem Bank JSC", "kind": "bank", "bin": _bin(101)},
    {"key": "dala", "name": "Dala Bank JSC", "kind": "bank", "bin": _bin(202)},
    {"key": "sapa", "name": "Sapa Bank JSC", "kind": "bank", "bin": _bin(303)},
    {"key": "tez", "name": "Tez Qarz MFO LLP", "kind": "mfo", "bin": _bin(404)},
    {"key": "orda", "name": "Orda Finance MFO LLP", "kind": "mfo", "bin": _bin(505)},
    {"key": "jyl", "name": "Jyldam Credit MFO LLP", "kind": "mfo", "bin": _bin(606)},
    {"key": "kepil", "name": "Kepil Collection LLP", "kind": "collector", "bin": _bin(707)},
    {"key": "senim", "name": "Senim Collection LLP", "kind": "collector", "bin": _bin(808)},
]


def _loan(creditor, contract, *, kind="consumer", secured=False, principal, interest=0,
          penalty=0, overdue_days=0, opened=date(2023, 3, 15), original=None,
          closed=None, interest_after_90=0, penalty_after_90=0,
          penalty_charges=(), monthly_payment=None, max_overdue_12m=None,
          restructurings=()):  # fmt: skip
    """Amounts in whole tenge here for readability; the bureau serves tiyn. The accrual
    after day 90 and the per-instalment penalties appear only where the story has them.

    For the debt-burden ratio every loan carries its monthly payment (by default the debt
    over 24 months), the overdue payments (a payment per started 30 days overdue, at most
    the debt), the longest delay in the last 12 months (by default today's, at most 365
    days) and its restructurings: (date, debt then, debt six months later or None)."""
    open_debt = 0 if closed else principal + interest
    monthly = monthly_payment if monthly_payment is not None else open_debt // 24
    overdue = min(open_debt, monthly * -(-overdue_days // 30))
    extra = {
        "monthly_payment_tiyn": monthly * 100,
        "overdue_payments_tiyn": overdue * 100,
        "max_overdue_days_12m": max_overdue_12m if max_overdue_12m is not None
        else min(overdue_days, 365),
        "restructurings": [
            {"on": on.isoformat(), "debt_tiyn": debt * 100,
             "debt_after_6_months_tiyn": None if after is None else after * 100}
            for on, debt, after in restructurings
        ],
    }  # fmt: skip
    if interest_after_90 or penalty_after_90:
        extra["interest_after_day_90_tiyn"] = interest_after_90 * 100
        extra["penalty_after_day_90_tiyn"] = penalty_after_90 * 100
    if penalty_charges:
        extra["penalty_charges"] = [
            {"due_on": due.isoformat(), "paid_on": paid.isoformat() if paid else None,
             "amount_tiyn": amount * 100}
            for due, paid, amount in penalty_charges
        ]  # fmt: skip
    return {
        **extra,
        "closed_on": closed.isoformat() if closed else None,
        "creditor": creditor,
        "original_creditor": original,
        "contract_number": contract,
        "kind": kind,
        "secured": secured,
        "principal_tiyn": principal * 100,
        "interest_tiyn": interest * 100,
        "penalty_tiyn": penalty * 100,
        "overdue_days": overdue_days,
        "opened_on": opened.isoformat(),
    }


BORROWERS = [
    {
        "key": "aigerim",
        "full_name": "Султанова Айгерим Нурлановна",
        "iin": make_iin(date(1988, 4, 12), female=True, serial=1201),
        "phone": "+77011234501",
        "language": "ru",
        "story": "eligible: three creditors (bank, MFO, collector)",
        "loans": [
            _loan(
                "alem",
                "AB-2023-0042",
                principal=1_150_000,
                interest=84_300,
                penalty=12_450,
                overdue_days=95,
            ),  # fmt: skip
            _loan(
                "tez",
                "TQ-77812",
                principal=380_000,
                interest=41_000,
                penalty=9_870,
                overdue_days=140,
                opened=date(2024, 1, 9),
                # accrued after the 90th day overdue: an MFO may not demand it
                interest_after_90=12_300,
                penalty_after_90=4_870,
                # due on Saturday 2024-03-09, paid on Monday 2024-03-11, penalised anyway
                penalty_charges=[(date(2024, 3, 9), date(2024, 3, 11), 1_500)],
            ),  # fmt: skip
            _loan(
                "kepil",
                "KC-5510",
                principal=620_000,
                interest=0,
                penalty=0,
                overdue_days=410,
                opened=date(2021, 7, 2),
                original="dala",
            ),  # fmt: skip
        ],
    },
    {
        "key": "gulnara",
        "full_name": "Жақсыбекова Гүлнара Асқарқызы",
        "iin": make_iin(date(1979, 11, 3), female=True, serial=3407),
        "phone": "+77021234502",
        "language": "kk",
        "asp": True,
        "official_income": 48_000,  # below the subsistence minimum
        "story": "eligible, receives targeted social assistance (ASP)",
        "loans": [
            _loan(
                "orda",
                "OF-10233",
                principal=240_000,
                interest=18_500,
                penalty=4_200,
                overdue_days=62,
            ),  # fmt: skip
            _loan(
                "jyl",
                "JC-2024-881",
                principal=310_000,
                interest=22_000,
                penalty=7_700,
                overdue_days=33,
                opened=date(2024, 2, 20),
            ),  # fmt: skip
        ],
    },
    {
        "key": "saule",
        "full_name": "Omarova Saule Bekovna",
        "iin": make_iin(date(1992, 6, 30), female=True, serial=1555),
        "phone": "+77071234503",
        "language": "en",
        "official_income": 260_000,
        "story": "eligible; a secured car loan stays out of the list (its payment still "
        "counts in the debt burden); 95 days late last year: the 0.25 limit",
        "loans": [
            _loan(
                "sapa",
                "SB-CAR-3391",
                kind="car",
                secured=True,
                principal=4_100_000,
                interest=120_000,
                overdue_days=12,
            ),  # fmt: skip
            _loan(
                "sapa",
                "SB-CL-1180",
                principal=890_000,
                interest=51_000,
                penalty=8_000,
                overdue_days=48,
                # restructured; six months later the debt was down by 2% only
                restructurings=[(date(2025, 11, 20), 960_000, 940_800)],
            ),  # fmt: skip
            _loan(
                "orda",
                "OF-20871",
                principal=150_000,
                interest=9_000,
                penalty=1_500,
                overdue_days=0,
                opened=date(2025, 1, 14),
                max_overdue_12m=95,  # current now, but 95 days late in the last year
            ),  # fmt: skip
        ],
    },
    {
        "key": "daniyar",
        "full_name": "Ахметов Данияр Серикович",
        "iin": make_iin(date(1985, 1, 21), serial=2210),
        "phone": "+77051234504",
        "language": "ru",
        "story": "not eligible: only one creditor",
        "loans": [
            _loan("alem", "AB-2022-1177", principal=700_000, interest=35_000, overdue_days=70),
        ],
    },
    {
        "key": "marat",
        "full_name": "Беков Марат Ержанович",
        "iin": make_iin(date(1975, 9, 9), serial=1010),
        "phone": "+77771234505",
        "language": "ru",
        "story": "not eligible: total debt over 7,000,000 KZT",
        "loans": [
            _loan(
                "dala",
                "DB-88120",
                principal=4_800_000,
                interest=300_000,
                penalty=95_000,
                overdue_days=200,
            ),  # fmt: skip
            _loan("tez", "TQ-99001", principal=2_500_000, interest=100_000, overdue_days=120),
        ],
    },
    {
        "key": "yerlan",
        "full_name": "Yerlan Tokayev",
        "iin": make_iin(date(1990, 2, 2), serial=4321),
        "phone": "+77471234506",
        "language": "en",
        "bankruptcy": True,
        "story": "not eligible: a bankruptcy procedure is under way",
        "loans": [
            _loan("alem", "AB-2020-5000", principal=900_000, interest=60_000, overdue_days=500),
            _loan("jyl", "JC-2021-077", principal=200_000, interest=15_000, overdue_days=480),
        ],
    },
    {
        "key": "zhanna",
        "full_name": "Қасымова Жанна Болатқызы",
        "iin": make_iin(date(1983, 8, 17), female=True, serial=2718),
        "phone": "+77011234507",
        "language": "kk",
        "story": "eligible (microfinance): mortgage, business and closed loans stay out",
        "loans": [
            _loan(
                "orda",
                "OF-30455",
                principal=510_000,
                interest=44_000,
                penalty=6_100,
                overdue_days=1_120,
                opened=date(2021, 10, 5),
            ),  # fmt: skip
            _loan(
                "jyl",
                "JC-2023-310",
                principal=275_000,
                interest=19_800,
                overdue_days=0,
                opened=date(2023, 6, 1),
            ),  # fmt: skip
            _loan(
                "senim",
                "SC-7741",
                principal=330_000,
                overdue_days=760,
                opened=date(2020, 11, 23),
                original="tez",
            ),  # fmt: skip
            _loan(
                "alem",
                "AB-MTG-0917",
                kind="mortgage",
                secured=True,
                principal=9_800_000,
                interest=210_000,
                overdue_days=15,
                opened=date(2019, 4, 2),
            ),  # fmt: skip
            _loan(
                "dala",
                "DB-BIZ-4410",
                kind="business",
                principal=1_600_000,
                interest=90_000,
                overdue_days=45,
                opened=date(2022, 2, 14),
            ),  # fmt: skip
            _loan(
                "tez",
                "TQ-11020",
                principal=0,
                overdue_days=0,
                opened=date(2020, 1, 10),
                closed=date(2021, 3, 1),
            ),  # fmt: skip
        ],
    },
    {
        "key": "bolat",
        "full_name": "Сейтжанов Болат Маратович",
        "iin": make_iin(date(1981, 12, 5), serial=3030),
        "phone": "+77081234508",
        "language": "ru",
        "previous_signed": True,
        "story": "not eligible: took part in a procedure that was signed before",
        "loans": [
            _loan("sapa", "SB-CL-2020", principal=430_000, interest=25_000, overdue_days=41),
            _loan("tez", "TQ-55100", principal=120_000, interest=9_500, overdue_days=67),
        ],
    },
    {
        "key": "asel",
        "full_name": "Nurpeisova Asel Kairatovna",
        "iin": make_iin(date(1995, 3, 8), female=True, serial=4646),
        "phone": "+77761234509",
        "language": "en",
        "solvency_restoration": True,
        "story": "not eligible: a solvency-restoration procedure is under way",
        "loans": [
            _loan("dala", "DB-90011", principal=650_000, interest=31_000, overdue_days=210),
            _loan("orda", "OF-40102", principal=90_000, interest=7_000, overdue_days=180),
        ],
    },
]

OMBUDSMAN_STAFF = [
    {"username": "ombudsman.bank", "ombudsman": "banking", "name": "Banking ombudsman office"},
    {"username": "ombudsman.mfo", "ombudsman": "microfinance", "name": "Microfinance ombudsman"},
]

CREDITORS_BY_KEY = {c["key"]: c for c in CREDITORS}


def bureau_report(spec: dict) -> dict:
    """One demo borrower as the credit bureau's JSON report (the wire format the HTTP client
    parses; see bureau_gateway.parsing.parse_credit_report)."""

    def org(key):
        if key is None:
            return None
        c = CREDITORS_BY_KEY[key]
        return {"bin": c["bin"], "name": c["name"], "kind": c["kind"]}

    loans = []
    for index, loan in enumerate(spec["loans"], start=1):
        wire = {k: v for k, v in loan.items() if k not in ("creditor", "original_creditor")}
        wire["creditor"] = org(loan["creditor"])
        wire["original_creditor"] = org(loan["original_creditor"])
        wire["bureau_reference"] = f"FCB-{spec['iin'][-6:]}-{index:02d}"
        loans.append(wire)
    return {
        "gambling_payments": [
            {"on": on.isoformat(), "amount_tiyn": amount * 100}
            for on, amount in spec.get("gambling_payments", [])
        ],
        "iin": spec["iin"],
        "subject": {
            "bankruptcy_in_progress": spec.get("bankruptcy", False),
            "solvency_restoration_in_progress": spec.get("solvency_restoration", False),
            "previous_procedure_signed": spec.get("previous_signed", False),
        },
        "loans": loans,
    }
