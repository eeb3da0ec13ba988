"""Performance evaluation from recorded data (绩效考评): monthly windows and staff, yearly departments."""
