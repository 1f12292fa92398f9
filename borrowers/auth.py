from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password

from borrowers.models import Borrower


class IINBackend(ModelBackend):
    """Borrowers sign in with their IIN and password."""

    def authenticate(self, request, iin=None, password=None, **kwargs):
        if not iin or not password:
            return None
        borrower = Borrower.objects.select_related("user").filter(iin=iin.strip()).first()
        if borrower is None:
            make_password(password)  # same cost as a real check: timing hides which IINs exist
            return None
        user = borrower.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
