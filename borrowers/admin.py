from django.contrib import admin

from borrowers.models import Borrower


@admin.register(Borrower)
class BorrowerAdmin(admin.ModelAdmin):
    list_display = ["full_name", "iin", "social_status", "preferred_language", "identified_at"]
    list_filter = ["social_status", "preferred_language"]
    search_fields = ["full_name", "iin"]
    readonly_fields = ["iin", "user", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        # The IIN can never be changed once the borrower exists.
        return self.readonly_fields if obj else ["created_at"]
