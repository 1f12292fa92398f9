# Django ships no Kazakh date formats; these follow Kazakh usage, year first, 24-hour:
# "2026 жылғы 14 желтоқсан", "2026 жылғы 14 желтоқсан, 09:05" — the form of the deadlines
# ("… сағат 23:59-ға дейін", finplatform/datetext.py). E: the month in lower case.
DATE_FORMAT = "Y жылғы j E"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "Y жылғы j E, H:i"
YEAR_MONTH_FORMAT = "Y жылғы E"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
