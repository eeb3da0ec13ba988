from __future__ import annotations

from django.contrib import admin

from govhall.core.admin import ActionAdmin

from .models import Appeal, BadReview, Rating


@admin.register(Rating)
class RatingAdmin(ActionAdmin):
    """Read-only: nobody changes or deletes a rating (国办发〔2019〕51号: 不得强制、干预、篡改评价); the rater's account is
    not shown."""

    list_display = ("case", "level", "channel", "department", "window", "is_default", "counted", "rated_at")
    list_filter = ("level", "channel", "is_default", "counted")
    exclude = ("rater",)


@admin.register(BadReview)
class BadReviewAdmin(ActionAdmin):
    list_display = ("number", "department", "status", "finding", "created_at", "fed_back_at")
    list_filter = ("status", "finding")
    search_fields = ("number",)


@admin.register(Appeal)
class AppealAdmin(ActionAdmin):
    list_display = ("rating", "department", "ground", "status", "filed_at", "decided_at")
    list_filter = ("status", "ground")
