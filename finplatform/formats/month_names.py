"""Month names as they stand after a day number ("16 желтоқсан", "16 декабря").

Django's date format letter `E` looks these up under the context "alt. month". Its own Kazakh
catalogue gives them capitalised ("16 Желтоқсан"), which is wrong in running Kazakh text, so
the project's catalogue (which takes precedence) carries them: lower case in Kazakh, the
genitive in Russian. Listing them here is what makes `makemessages` keep them.
"""

from django.utils.translation import pgettext_lazy

ALT_MONTHS = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)
