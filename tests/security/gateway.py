"""A stand-in for a real SMS gateway (sends nowhere, prints nothing): what production is allowed to configure."""

from __future__ import annotations


class SilentGateway:
    def send(self, phone: str, text: str) -> str:
        return "silent-1"
