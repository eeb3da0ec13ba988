"""Choice classes: value, Chinese label and a display colour in one place (NetBox's ChoiceSet idea).

    class Light(ColoredChoices):
        GREEN = "green", "绿灯"
        RED = "red", "红灯"

    Light.set_colors({Light.GREEN: "green", Light.RED: "red"})

Colour names are the ones the templates and charts know: green, yellow, red, blue, orange, purple, gray."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

KNOWN_COLORS = frozenset({"green", "yellow", "red", "blue", "orange", "purple", "gray"})


class ColoredChoices(models.TextChoices):
    @classmethod
    def set_colors(cls, mapping: Mapping[str, str]) -> None:
        unknown = set(mapping.values()) - KNOWN_COLORS
        if unknown:
            raise ValueError(f"unknown colours {sorted(unknown)} for {cls.__name__}")
        # Set on the class after creation: inside the Enum body the dict would become a member.
        type.__setattr__(cls, "_color_map", {str(k): v for k, v in mapping.items()})

    @classmethod
    def color_of(cls, value: str) -> str:
        color_map: dict[str, str] = getattr(cls, "_color_map", {})
        return color_map.get(str(value), "gray")

    @property
    def color(self) -> str:
        return type(self).color_of(self.value)
