from __future__ import annotations

import io
import os
from datetime import date

import pytest
from PIL import Image

from govhall.documents import render, seal_picture
from govhall.documents.actions import seal_document
from govhall.documents.signing import split_signed

from .conftest import notice_content, run_tool, write_pdf


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 11, 22), "二〇二六年十一月二十二日"),
        (date(2030, 1, 10), "二〇三〇年一月十日"),
        (date(2027, 10, 1), "二〇二七年十月一日"),
        (date(2031, 12, 31), "二〇三一年十二月三十一日"),
        (date(2026, 2, 20), "二〇二六年二月二十日"),
    ],
)
def test_chinese_date(day, text):
    assert render.chinese_date(day) == text


def _sealed_pdf(issue, **kwargs) -> bytes:
    document = seal_document(issue(**kwargs))
    pdf, block = split_signed(bytes(document.pdf))
    assert block is not None
    return pdf


def test_text_of_the_notice(issue, tmp_path):
    document = issue(case_number="RX20261122000777")
    seal_document(document)
    text = run_tool("pdftotext", "-layout", write_pdf(tmp_path, bytes(document.pdf)), "-")
    compact = text.replace(" ", "")
    assert "容县市场监督管理局" in compact  # the organ with its county, from "县市场监督管理局"
    assert "受理通知书" in compact
    assert document.number in compact and document.number.startswith("市场监管局受〔2026〕")
    assert "RX20261122000777" in compact
    assert "容县张三餐饮有限公司：" in compact
    assert "二〇二六年十一月二十二日" in compact
    assert "扫码验证真伪" in compact
    assert "食品经营许可（新办）" in compact  # the table


def test_the_cjk_font_is_embedded_as_a_subset_and_nothing_else_is_used(issue, tmp_path):
    fonts = run_tool("pdffonts", write_pdf(tmp_path, _sealed_pdf(issue))).splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        name, *_, emb, sub, uni, _obj, _gen = line.split()
        assert (emb, sub, uni) == ("yes", "yes", "yes"), line  # embedded, subset, with a ToUnicode map
        assert any(face in name for face in ("WenQuanYi", "UMing", "AR PL")), line


def _page_image(tmp_path, pdf: bytes, page: int = 1) -> Image.Image:
    path = write_pdf(tmp_path, pdf)
    run_tool("pdftoppm", "-r", "50", "-png", "-f", page, "-l", page, path, tmp_path / "page")
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert pngs
    return Image.open(io.BytesIO(pngs[-1].read_bytes())).convert("RGB")


def _pixels(image: Image.Image) -> list[tuple[int, int, int]]:
    raw = image.tobytes()
    return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]


def _is_red(rgb: tuple[int, int, int]) -> bool:
    r, g, b = rgb
    return r > 150 and g < 110 and b < 110


def test_the_page_is_not_blank_and_carries_the_red_seal_bottom_right(issue, tmp_path):
    image = _page_image(tmp_path, _sealed_pdf(issue))
    width, height = image.size
    pixels = _pixels(image)
    dark = sum(1 for r, g, b in pixels if r + g + b < 300)
    assert dark > 2000, f"only {dark} dark pixels: the page looks blank"
    red = [(i % width, i // width) for i, p in enumerate(pixels) if _is_red(p)]
    # The red header (organ name and rule) sits in the top fifth; the seal lower down on the right.
    seal_red = [(x, y) for x, y in red if y > height * 0.3 and x > width / 2]
    assert len(seal_red) > 300, f"{len(seal_red)} red pixels where the seal should be"
    header_red = [(x, y) for x, y in red if y < height * 0.25]
    assert len(header_red) > 200


def test_long_paragraphs_wrap_and_flow_onto_more_pages(issue, tmp_path):
    long = "申请人提交的材料经审查需要补正的内容如下，" * 120
    pdf = _sealed_pdf(issue, content=notice_content(paragraphs=[long, "请按上述要求补正。"]))
    path = write_pdf(tmp_path, pdf)
    info = run_tool("pdfinfo", path)
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2
    text = run_tool("pdftotext", "-layout", path, "-")
    # Wrapped inside the text width: no line as long as the paragraph.
    assert max(len(line.strip()) for line in text.splitlines() if "申请人" in line) < 60
    assert text.replace(" ", "").replace("\n", "").count("申请人提交的材料经审查需要补正的内容如下") >= 100
    # The date and the seal move with the last paragraph: never alone on a page.
    last_page = _page_image(tmp_path, pdf, page=pages)
    assert sum(1 for p in _pixels(last_page) if _is_red(p)) > 300


def test_punctuation_never_starts_a_line(issue, tmp_path):
    # 27 characters fill the first line after its two-character indent; the comma would open the second.
    paragraph = "申" * 27 + "，" + "请" * 28 + "。" + "材" * 10
    pdf = _sealed_pdf(issue, content=notice_content(paragraphs=[paragraph]))
    lines = [line.strip() for line in run_tool("pdftotext", write_pdf(tmp_path, pdf), "-").splitlines()]
    body = [line for line in lines if line and line[0] in "申请材，。"]
    assert len(body) >= 3
    assert not [line for line in body if line[0] in "，。"], body


def test_markup_in_content_is_printed_not_interpreted(issue, tmp_path):
    pdf = _sealed_pdf(issue, content=notice_content(paragraphs=["材料<b>不全</b> & 需补正"]))
    text = run_tool("pdftotext", write_pdf(tmp_path, pdf), "-")
    assert "材料<b>不全</b> & 需补正" in text


def test_the_qr_code_carries_the_verify_url_with_its_token(issue, monkeypatch, settings):
    settings.GOVHALL_PUBLIC_URL = "https://zwfw.example.gov.cn"
    encoded: list[str] = []
    real = render._qr_code

    def capture(value: str, size: float):
        encoded.append(value)
        return real(value, size)

    monkeypatch.setattr(render, "_qr_code", capture)
    document = seal_document(issue())
    assert encoded and set(encoded) == {document.public_verify_url()}
    assert encoded[0].startswith("https://zwfw.example.gov.cn/verify/")
    assert encoded[0].endswith(f"/?t={document.verify_token}")


def test_a_missing_font_names_the_debian_package(settings):
    settings.GOVHALL_PDF_FONT = "/nonexistent/font.ttc"
    with pytest.raises(render.FontNotFound, match="fonts-wqy-zenhei"):
        render.find_font()


def test_seal_svg_is_well_formed_and_names_the_holder():
    from xml.etree import ElementTree

    svg = seal_picture.seal_svg("容县<市场>监督管理局")
    root = ElementTree.fromstring(svg)
    texts = "".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "容县<市场>监督管理局" in texts and "电子审批专用章" in texts
    assert root.find("{http://www.w3.org/2000/svg}circle") is not None
    assert root.find("{http://www.w3.org/2000/svg}polygon") is not None


def test_title_in_a_hei_face_and_body_in_a_song_face(issue, tmp_path):
    """GB/T 9704 with Debian's free faces: title and organ in WenQuanYi Zen Hei (黑体, for 小标宋), body in AR PL
    UMing CN (宋体, the closest free face to 仿宋); both embedded."""
    if not (
        os.path.exists(render.FONT_CANDIDATES[0][0]) and os.path.exists(render.TITLE_FONT_CANDIDATES[0][0])
    ):
        pytest.skip("fonts-arphic-uming and fonts-wqy-zenhei are installed by make setup")
    fonts = run_tool("pdffonts", write_pdf(tmp_path, _sealed_pdf(issue)))
    assert "UMingCN" in fonts and "WenQuanYi" in fonts, fonts
