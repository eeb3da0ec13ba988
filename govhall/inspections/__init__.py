"""Supervised entities, inspection plans (双随机一公开), inspection records and credit grades."""
