"""Rule of law: administrative litigation with heads appearing in court, and administrative reconsideration."""
