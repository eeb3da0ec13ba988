"""Public disclosure (政务公开): the disclosure catalog with index numbers, and information requests (依申请公开) on the clock."""
