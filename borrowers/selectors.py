from borrowers.models import Borrower


def borrower_for_user(user) -> Borrower | None:
    return getattr(user, "borrower", None) if user.is_authenticated else None
