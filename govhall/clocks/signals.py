from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from govhall.calendars.signals import year_confirmed


@receiver(year_confirmed)
def _recompute_on_confirmation(sender: Any, **kwargs: Any) -> None:
    # Deadlines computed with the provisional rule for a year now confirmed must follow the official arrangement.
    from .actions import recompute_provisional

    recompute_provisional()
