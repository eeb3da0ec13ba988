"""Normative documents (规范性文件) and major administrative decisions (重大行政决策)."""
