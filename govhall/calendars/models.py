# Owned by the calendar work; see govhall/calendars/engine.py.
