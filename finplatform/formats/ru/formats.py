# One way to write a date in Russian across pages, notices, PDFs (issue 15): "4 декабря 2026",
# "23:59, 4 декабря 2026" as in a deadline ("до 23:59, 4 декабря 2026", finplatform/datetext.py).
# Django's own "4 декабря 2026 г." ended a sentence with "г.." and differed from the deadlines.
DATE_FORMAT = "j E Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i, j E Y"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"
NUMBER_GROUPING = 3
