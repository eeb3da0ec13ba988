"""A blank application form (空白表格) generated for a material that is a form but has no uploaded blank: the
applicant block and the item's own form fields (catalog.FormField) as a table to fill in by hand, with the
declaration and signature line of a printed county form."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.catalog.choices import FieldKind
from govhall.catalog.models import Material
from govhall.documents.render import FONT_NAME, TITLE_FONT_NAME, register_font

APPLICANT_ROWS = [
    "申请人姓名/单位名称",
    "证件号码（身份证号码或统一社会信用代码）",
    "法定代表人",
    "联系电话",
    "联系地址",
]


def _hint(kind: str, choices: list[str]) -> str:
    if kind == FieldKind.CHOICE:
        return "□" + "　□".join(choices)
    if kind == FieldKind.YES_NO:
        return "□是　□否"
    if kind == FieldKind.DATE:
        return "　　　　年　　月　　日"
    return ""


def blank_form_pdf(material: Material) -> bytes:
    register_font()
    item = material.item
    title_style = ParagraphStyle("t", fontName=TITLE_FONT_NAME, fontSize=18, leading=26, alignment=1)
    small = ParagraphStyle("s", fontName=FONT_NAME, fontSize=10.5, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=FONT_NAME, fontSize=11, leading=16, wordWrap="CJK")
    rows: list[list[object]] = [[Paragraph("<b>申请人信息</b>", cell), ""]]
    rows += [[Paragraph(escape(label), cell), ""] for label in APPLICANT_ROWS]
    fields = list(item.form_fields.all())
    if fields:
        rows.append([Paragraph("<b>申请内容</b>", cell), ""])
        for f in fields:
            label = escape(f.label) + (" *" if f.required else "")
            rows.append([Paragraph(label, cell), Paragraph(escape(_hint(f.kind, f.choice_list())), cell)])
    else:
        rows.append([Paragraph("申请事项及理由", cell), ""])
    heights = [None] + [11 * mm] * (len(rows) - 1)
    table = Table(rows, colWidths=[60 * mm, 110 * mm], rowHeights=heights)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
        ("GRID", (0, 0), (-1, -1), 0.6, "black"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("SPAN", (0, 0), (1, 0)),
    ]
    for index, row in enumerate(rows):
        if index and isinstance(row[0], Paragraph) and row[0].text.startswith("<b>"):
            style.append(("SPAN", (0, index), (1, index)))
    table.setStyle(TableStyle(style))
    story = [
        Paragraph(escape(material.name), title_style),
        Spacer(1, 3 * mm),
        Paragraph(escape(f"事项：{item.name}　　受理部门：{item.department.name}"), small),
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            "本人（单位）承诺所填写内容和提交的材料真实、有效，如有虚假，愿承担相应法律责任。"
            "标 * 的为必填项；也可在网上办事大厅在线填写，无需打印。",
            small,
        ),
        Spacer(1, 10 * mm),
        Paragraph("申请人（签字或盖章）：＿＿＿＿＿＿＿＿　　　　　　年　　月　　日", small),
    ]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=material.name,
        author=item.department.name,
        initialFontName=FONT_NAME,
    )
    doc.build(story)
    return buffer.getvalue()
