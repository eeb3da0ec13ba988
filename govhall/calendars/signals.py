"""Hook points for code that must react when the calendar changes.

Both are sent inside the action's transaction (after the rows are written), so a receiver's writes commit or
roll back with the change; a receiver that wants to run after commit wraps its work in
transaction.on_commit. An exception in a receiver aborts the change.

- year_confirmed(sender=CalendarYear, year: int, calendar_year: CalendarYear, actor)
  A year's official arrangement was entered (first confirmation or a re-confirmation). Provisional deadlines
  that examined this year must be recomputed.
- calendar_changed(sender=CalendarYear, years: frozenset[int], actor)
  Any change of working days in these years (confirmation or a single-day edit); deadlines computed over
  them may have moved."""

from __future__ import annotations

from django.dispatch import Signal

year_confirmed = Signal()
calendar_changed = Signal()
