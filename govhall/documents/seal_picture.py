"""The seal picture: a red ring, a five-pointed star, the holder's name along the upper arc and the seal's use
("电子审批专用章") below the star. One geometry feeds both outputs, so the SVG stored in the seal (and hashed
into the seal structure) and the picture drawn in the PDF are the same image.

Coordinates are in a 200×200 box, y downwards as in SVG; angles are degrees clockwise from 12 o'clock."""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

BOX = 200.0
CENTRE = BOX / 2
RING_RADIUS = 94.0
RING_WIDTH = 6.0
NAME_RADIUS = 70.0
STAR_RADIUS = 28.0
USE_TEXT = "电子审批专用章"
SEAL_RED = "#d7141a"
SEAL_RED_RGB = (0xD7 / 255, 0x14 / 255, 0x1A / 255)
# Real seals are 40–45 mm across; 42 mm is the common size for an organ's special-purpose seal.
DIAMETER_MM = 42.0


@dataclass(frozen=True)
class Glyph:
    char: str
    x: float
    y: float
    angle: float
    size: float


def name_glyphs(name: str) -> list[Glyph]:
    """The holder's name spread along the upper arc, each character upright towards the rim."""
    chars = list(name.strip()) or [" "]
    n = len(chars)
    # Short names keep natural spacing; long ones spread up to 250° and shrink to fit.
    step = 26.0 if n == 1 else min(26.0, 250.0 / (n - 1))
    size = min(26.0, NAME_RADIUS * math.radians(step) * 0.92)
    start = -step * (n - 1) / 2
    glyphs = []
    for i, char in enumerate(chars):
        angle = start + i * step
        rad = math.radians(angle)
        glyphs.append(
            Glyph(
                char, CENTRE + NAME_RADIUS * math.sin(rad), CENTRE - NAME_RADIUS * math.cos(rad), angle, size
            )
        )
    return glyphs


def use_glyph_size(text: str = USE_TEXT) -> float:
    return min(20.0, 120.0 / max(len(text), 1))


def star_points(
    radius: float = STAR_RADIUS, cx: float = CENTRE, cy: float = CENTRE
) -> list[tuple[float, float]]:
    inner = radius * 0.382  # the golden-ratio inner radius of a regular five-pointed star
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else inner
        rad = math.radians(i * 36)
        points.append((cx + r * math.sin(rad), cy - r * math.cos(rad)))
    return points


USE_TEXT_Y = CENTRE + 52.0


def seal_svg(holder_name: str, use_text: str = USE_TEXT) -> str:
    font = "font-family=\"'AR PL UMing CN','WenQuanYi Zen Hei',SimSun,serif\""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {BOX:g} {BOX:g}" '
        f'width="{DIAMETER_MM:g}mm" height="{DIAMETER_MM:g}mm">',
        f'<circle cx="{CENTRE:g}" cy="{CENTRE:g}" r="{RING_RADIUS:g}" fill="none" stroke="{SEAL_RED}" '
        f'stroke-width="{RING_WIDTH:g}"/>',
        '<polygon points="'
        + " ".join(f"{x:.2f},{y:.2f}" for x, y in star_points())
        + f'" fill="{SEAL_RED}"/>',
    ]
    for g in name_glyphs(holder_name):
        parts.append(
            f'<text transform="translate({g.x:.2f} {g.y:.2f}) rotate({g.angle:.2f})" text-anchor="middle" '
            f'dominant-baseline="central" font-size="{g.size:.2f}" {font} fill="{SEAL_RED}">'
            f"{escape(g.char)}</text>"
        )
    parts.append(
        f'<text x="{CENTRE:g}" y="{USE_TEXT_Y:g}" text-anchor="middle" dominant-baseline="central" '
        f'font-size={quoteattr(f"{use_glyph_size(use_text):.2f}")} {font} fill="{SEAL_RED}">'
        f"{escape(use_text)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
