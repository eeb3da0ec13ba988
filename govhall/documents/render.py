"""A4 notices in Chinese, laid out after GB/T 9704 where it fits: the issuing organ in red over a red rule, the
document number, a centred title, the recipient, body paragraphs with a two-character first-line indent, an
optional table, the remedies, then the issuing organ and the date in Chinese numerals bottom-right under the red
seal. Every page carries a QR code bottom-left that opens the public verification page.

The text is set in a TrueType CJK font embedded as a subset (reportlab always subsets TrueType), so the file
looks the same in every viewer; a non-embedded CID font would show boxes where the reader lacks it."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCode
from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, String, mmult, rotate, translate
from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph

from . import naming, seal_picture
from .models import Document, Seal

FONT_NAME = "GovhallCJK"
TITLE_FONT_NAME = "GovhallCJKTitle"
# GB/T 9704—2012 sets the body in 3号仿宋 and the title in 2号小标宋. Debian ships no 仿宋 that covers simplified
# Chinese (cwTeX FangSong, fonts-cwtex-fs, is Big5 only: 许、证、审… are missing) and no bold Song in TrueType
# (Noto Serif CJK has PostScript outlines, which reportlab cannot embed). So the body takes the closest free
# face, the Song (Ming) style AR PL UMing CN (fonts-arphic-uming, index 0 of the collection is the CN face), and
# the title and the issuing organ a bold, even 黑体: WenQuanYi Zen Hei (fonts-wqy-zenhei).
# (path, index in a .ttc collection), first present wins.
FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
TITLE_FONT_CANDIDATES: list[tuple[str, int]] = [
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
FONT_PACKAGES = "fonts-arphic-uming 或 fonts-wqy-zenhei"

RED = colors.Color(*seal_picture.SEAL_RED_RGB)
PAGE_WIDTH, PAGE_HEIGHT = A4
# GB/T 9704 margins: top 37 mm, bottom 35 mm, left 28 mm, right 26 mm.
LEFT, RIGHT, TOP, BOTTOM = 28 * mm, 26 * mm, 37 * mm, 35 * mm
TEXT_WIDTH = PAGE_WIDTH - LEFT - RIGHT
BODY_SIZE = 15.0

# Punctuation that never starts a line (GB/T 15834). reportlab's list is Japanese and lacks the full-width
# comma, colon, semicolon and closing quotes, so "，" could open a line; in its list, a character that does not
# fit hangs in the right margin instead.
_NO_LINE_START = "，。、；：！？）》〉】」』”’…"
for _module in (
    rl_paragraph,
    rl_textsplit,
):  # single-style paragraphs wrap in textsplit, mixed ones in paragraph
    _module.ALL_CANNOT_START += "".join(c for c in _NO_LINE_START if c not in _module.ALL_CANNOT_START)

_font_lock = threading.Lock()
_font_path: str | None = None


class FontNotFound(ImproperlyConfigured):
    pass


def _font_candidates() -> list[tuple[str, int]]:
    configured = settings.GOVHALL_PDF_FONT
    if configured:
        path, _, index = str(configured).partition("#")
        return [(path, int(index or 0))]
    return FONT_CANDIDATES


def find_font() -> tuple[str, int]:
    """(path, index in the collection) of the first CJK font present; a clear error naming the package if none."""
    for path, index in _font_candidates():
        if os.path.exists(path):
            return path, index
    tried = "、".join(path for path, _ in _font_candidates())
    raise FontNotFound(
        f"找不到用于生成文书的中文 TrueType 字体（已查找：{tried}）。"
        f"请安装 Debian 软件包 {FONT_PACKAGES}（make setup 会安装 fonts-wqy-zenhei），"
        "或用 GOVHALL_PDF_FONT=路径[#序号] 指定字体文件。"
    )


def register_font() -> str:
    """Register the CJK fonts once per process (body, and title: the title face, else the body's) and return the
    body font's file path."""
    global _font_path
    with _font_lock:
        if _font_path is None:
            path, index = find_font()
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            title = next(
                (
                    (p, i)
                    for p, i in TITLE_FONT_CANDIDATES
                    if os.path.exists(p) and not settings.GOVHALL_PDF_FONT
                ),
                (path, index),
            )
            pdfmetrics.registerFont(TTFont(TITLE_FONT_NAME, title[0], subfontIndex=title[1]))
            _font_path = path
        return _font_path


_DIGITS = "〇一二三四五六七八九"


def _chinese_number(n: int) -> str:
    """1–31 as written in dates: 十, 十一, 二十, 二十一, 三十一."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_date(day: date) -> str:
    """二〇二六年十一月二十二日."""
    year = "".join(_DIGITS[int(d)] for d in str(day.year))
    return f"{year}年{_chinese_number(day.month)}月{_chinese_number(day.day)}日"


@dataclass
class Notice:
    """Everything printed on a notice; built from a Document by render_document."""

    organ: str
    number: str
    title: str
    recipient: str
    paragraphs: list[str]
    day: date
    case_number: str
    verify_url: str
    seal_holder: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    remedies: str = ""
    # A second QR code bottom-right (caption, address): the 好差评 rating link of the case, when an app registered one.
    extra_qr: tuple[str, str] | None = None


# Apps above documents add a QR code to every notice of a case (the ratings app: its signed rating link), registered
# from their AppConfig.ready(): documents may not import them. The provider gets the case number and returns
# (caption, address) or None.
NoticeLink = Callable[[str], tuple[str, str] | None]
_notice_links: list[NoticeLink] = []


def register_notice_link(provider: NoticeLink) -> None:
    if provider not in _notice_links:
        _notice_links.append(provider)


def notice_link(case_number: str) -> tuple[str, str] | None:
    for provider in _notice_links:
        found = provider(case_number)
        if found is not None:
            return found
    return None


def seal_drawing(holder_name: str, diameter: float = seal_picture.DIAMETER_MM * mm) -> Drawing:
    """The seal picture of seal_picture.py as reportlab graphics (y upwards, points)."""
    scale = diameter / seal_picture.BOX

    def pt(x: float, y: float) -> tuple[float, float]:
        return x * scale, (seal_picture.BOX - y) * scale

    drawing = Drawing(diameter, diameter, initialFontName=FONT_NAME)
    cx, cy = pt(seal_picture.CENTRE, seal_picture.CENTRE)
    drawing.add(
        Circle(
            cx,
            cy,
            seal_picture.RING_RADIUS * scale,
            fillColor=None,
            strokeColor=RED,
            strokeWidth=seal_picture.RING_WIDTH * scale,
        )
    )
    star: list[float] = []
    for x, y in seal_picture.star_points():
        star.extend(pt(x, y))
    drawing.add(Polygon(star, fillColor=RED, strokeColor=RED, strokeWidth=0))
    for g in seal_picture.name_glyphs(holder_name):
        x, y = pt(g.x, g.y)
        size = g.size * scale
        # Centre the glyph on its point: the baseline sits about a third of the size below the middle.
        glyph = String(
            0, -size * 0.36, g.char, fontName=FONT_NAME, fontSize=size, fillColor=RED, textAnchor="middle"
        )
        drawing.add(Group(glyph, transform=mmult(translate(x, y), rotate(-g.angle))))
    use_size = seal_picture.use_glyph_size() * scale
    ux, uy = pt(seal_picture.CENTRE, seal_picture.USE_TEXT_Y)
    drawing.add(
        String(
            ux,
            uy - use_size * 0.36,
            seal_picture.USE_TEXT,
            fontName=FONT_NAME,
            fontSize=use_size,
            fillColor=RED,
            textAnchor="middle",
        )
    )
    return drawing


class SignatureBlock(Flowable):  # type: ignore[misc]  # reportlab ships no type information: Flowable is Any
    """Issuing organ and date bottom-right with the seal over them (上不压正文，下压成文日期).

    The seal is drawn first and the text over it, so the date stays legible where the red covers it."""

    def __init__(self, organ: str, day: date, seal_holder: str) -> None:
        super().__init__()
        self.organ = organ
        self.date_text = chinese_date(day)
        self.seal_holder = seal_holder
        self.height = 40 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        return available_width, self.height

    def draw(self) -> None:
        canvas = self.canv
        size = BODY_SIZE
        date_width = pdfmetrics.stringWidth(self.date_text, FONT_NAME, size)
        organ_width = pdfmetrics.stringWidth(self.organ, FONT_NAME, size)
        # The date ends four characters from the right margin; the organ is centred over it.
        centre = min(
            max(self.width - 4 * size - date_width / 2, organ_width / 2, date_width / 2),
            self.width - max(organ_width, date_width) / 2,
        )
        date_y = 8 * mm
        organ_y = date_y + 2 * size
        diameter = seal_picture.DIAMETER_MM * mm
        seal_centre_y = organ_y - 1 * mm
        renderPDF.draw(
            seal_drawing(self.seal_holder, diameter),
            canvas,
            centre - diameter / 2,
            seal_centre_y - diameter / 2,
        )
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_NAME, size)
        canvas.drawCentredString(centre, organ_y, self.organ)
        canvas.drawCentredString(centre, date_y, self.date_text)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=BODY_SIZE, leading=26, wordWrap="CJK")
    return {
        "organ": ParagraphStyle(
            "organ", parent=base, fontName=TITLE_FONT_NAME, alignment=TA_CENTER, textColor=RED
        ),
        "number": ParagraphStyle("number", parent=base, fontSize=14, leading=20, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title",
            parent=base,
            fontName=TITLE_FONT_NAME,
            fontSize=21,
            leading=32,
            alignment=TA_CENTER,
            spaceBefore=6,
            spaceAfter=14,
        ),
        "recipient": ParagraphStyle("recipient", parent=base, alignment=TA_LEFT),
        "body": ParagraphStyle("body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=2 * BODY_SIZE),
        "cell": ParagraphStyle("cell", parent=base, fontSize=12, leading=17),
    }


def _text(value: str) -> str:
    return escape(str(value)).replace("\n", "<br/>")


def _story(notice: Notice) -> list[Flowable]:
    styles = _styles()
    organ_size = min(26.0, (TEXT_WIDTH - 20) / max(len(notice.organ), 1))
    organ_style = ParagraphStyle(
        "organ-sized", parent=styles["organ"], fontSize=organ_size, leading=organ_size * 1.4
    )
    story: list[Flowable] = [
        Paragraph(_text(notice.organ), organ_style),
        Spacer(1, 4 * mm),
        Paragraph(_text(notice.number), styles["number"]),
        HRFlowable(width="100%", thickness=1.5, color=RED, spaceBefore=2 * mm, spaceAfter=6 * mm),
        Paragraph(_text(notice.title), styles["title"]),
        Paragraph(_text(f"{notice.recipient}："), styles["recipient"]),
    ]
    story += [Paragraph(_text(p), styles["body"]) for p in notice.paragraphs]
    if notice.rows:
        data = [
            [Paragraph(_text(label), styles["cell"]), Paragraph(_text(value), styles["cell"])]
            for label, value in notice.rows
        ]
        table = Table(data, colWidths=[42 * mm, TEXT_WIDTH - 42 * mm], hAlign="CENTER")
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
                    ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.95, 0.95, 0.95)),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        story += [Spacer(1, 3 * mm), table, Spacer(1, 3 * mm)]
    if notice.remedies:
        story.append(Paragraph(_text(notice.remedies), styles["body"]))
    # The signature never stands alone on a page: the last block of text moves with it.
    closing = [story.pop(), Spacer(1, 4 * mm), SignatureBlock(notice.organ, notice.day, notice.seal_holder)]
    story.append(KeepTogether(closing))
    return story


def _qr_code(value: str, size: float) -> QrCode:
    # The flowable draws straight onto the canvas; the QrCodeWidget builds hundreds of validated shapes and
    # would take most of the rendering time.
    return QrCode(value, width=size, height=size, qrLevel="M", qrBorder=2)


def _footer(notice: Notice) -> Any:
    qr_size = 24 * mm
    qr = _qr_code(notice.verify_url, qr_size)
    extra = _qr_code(notice.extra_qr[1], qr_size) if notice.extra_qr else None

    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        qr.drawOn(canvas, LEFT - 2 * mm, 8 * mm)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_NAME, 8)
        canvas.drawCentredString(LEFT - 2 * mm + qr_size / 2, 5 * mm, "扫码验证真伪")
        text_x = LEFT + qr_size + 2 * mm
        canvas.setFont(FONT_NAME, 9)
        canvas.drawString(text_x, 26 * mm, f"办件编号：{notice.case_number}")
        canvas.drawString(text_x, 21 * mm, f"文书编号：{notice.number}")
        # Readable and without the token: the QR code carries the full address.
        canvas.setFont(FONT_NAME, 8)
        canvas.drawString(text_x, 16 * mm, "验证网址：" + unquote(notice.verify_url.partition("?")[0]))
        if extra is not None:
            right = PAGE_WIDTH - RIGHT - qr_size + 2 * mm
            extra.drawOn(canvas, right, 8 * mm)
            canvas.setFont(FONT_NAME, 8)
            canvas.drawCentredString(
                right + qr_size / 2, 5 * mm, notice.extra_qr[0] if notice.extra_qr else ""
            )
        canvas.setFont(FONT_NAME, 12)
        page_x = PAGE_WIDTH - RIGHT - (qr_size + 4 * mm if extra is not None else 0)
        canvas.drawRightString(page_x, 12 * mm, f"— {doc.page} —")
        canvas.restoreState()

    return draw


def render_notice(notice: Notice) -> bytes:
    register_font()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=TOP,
        bottomMargin=BOTTOM,
        title=notice.title,
        author=notice.organ,
        subject=notice.number,
        creator="govhall",
        # Otherwise reportlab declares an unembedded Helvetica as every page's initial font.
        initialFontName=FONT_NAME,
        initialFontSize=BODY_SIZE,
    )
    frame = Frame(
        LEFT, BOTTOM, TEXT_WIDTH, PAGE_HEIGHT - TOP - BOTTOM, id="body", leftPadding=0, rightPadding=0
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=_footer(notice))])
    doc.build(_story(notice))
    return buffer.getvalue()


def render_document(document: Document, seal: Seal) -> bytes:
    content = document.content
    return render_notice(
        Notice(
            organ=naming.organ_name(document.department),
            number=document.number,
            title=document.title,
            recipient=content.get("recipient") or document.recipient,
            paragraphs=list(content.get("paragraphs") or []),
            rows=[(str(label), str(value)) for label, value in content.get("rows") or []],
            remedies=content.get("remedies") or "",
            day=date.fromisoformat(content["date"]) if content.get("date") else document.issued_at.date(),
            case_number=document.case_number,
            verify_url=document.public_verify_url(),
            seal_holder=seal.holder_name,
            extra_qr=notice_link(document.case_number) if document.case_number else None,
        )
    )
