"""The simulated government-data service: the register of individuals (ГБД ФЛ), social status
and official income.

    GET  /government/persons/<iin>           {"iin", "full_name", "source", "checked_at"}: the
                                             legal name (a demo person's, one a test set with
                                             /_control/identity/phones, or the open world's)
    GET  /government/social-status/<iin>     {"vulnerable", "receives_asp", ...}
    GET  /government/income/<iin>            {"average_monthly_tiyn", "months_with_income",
                                              "source", "checked_at"}: the official income
                                             over the six months before the request
    PUT  /_control/government/status/<iin>   {"vulnerable": bool, "receives_asp": bool}
    PUT  /_control/government/income/<iin>   {"average_monthly_tiyn", "months_with_income"}

An unknown person is a 404. A demo person's income is in demo_data (`official_income`, tenge);
anyone of the open world gets a deterministic one (open_world.official_income). Pure data and
functions over the world's dicts; the server holds the lock."""

from __future__ import annotations

from bureau_gateway.simulator import open_world

SOURCE_PERSON = "state register of individuals (ГБД ФЛ) simulator"
SOURCE_STATUS = "government-data simulator"
SOURCE_INCOME = "government-data simulator: pension contributions and state payments"


def answer(world, parts: list[str], now: str) -> tuple[int, dict]:
    """(status, body) of a GET under /government/. The caller holds world.lock."""
    if len(parts) != 2 or parts[0] not in ("persons", "social-status", "income"):
        return 404, {"error": "no such endpoint"}
    iin = parts[1]
    if parts[0] == "persons":
        name = world.names.get(iin) or open_world.full_name(iin)
        if not name:
            return 404, {"error": "subject unknown"}
        return 200, {"iin": iin, "full_name": name, "source": SOURCE_PERSON, "checked_at": now}
    known = iin in world.reports or iin in world.social or iin in world.income
    if not known and not open_world.knows(iin):
        return 404, {"error": "subject unknown"}
    if parts[0] == "social-status":
        status = world.social.get(iin) or {"vulnerable": False, "receives_asp": False}
        return 200, {"iin": iin, **status, "source": SOURCE_STATUS, "checked_at": now}
    income = world.income.get(iin) or open_world.official_income(iin)
    return 200, {"iin": iin, **income, "source": SOURCE_INCOME, "checked_at": now}


def control(world, parts: list[str], body: dict) -> tuple[int, dict] | None:
    """A PUT under /_control/government/ (None when it is not one). Holds world.lock."""
    if len(parts) != 2:
        return None
    if parts[0] == "status":
        world.social[parts[1]] = {
            "vulnerable": bool(body.get("vulnerable")),
            "receives_asp": bool(body.get("receives_asp")),
        }
        return 200, world.social[parts[1]]
    if parts[0] == "income":
        world.income[parts[1]] = {
            "average_monthly_tiyn": int(body.get("average_monthly_tiyn", 0)),
            "months_with_income": int(body.get("months_with_income", 6)),
        }
        return 200, world.income[parts[1]]
    return None
