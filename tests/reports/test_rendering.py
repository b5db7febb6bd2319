"""Text extraction can read 十八洞村 from a PDF whose glyphs draw something else (DESIGN.md, the
PDF trap), so page 1 is also rasterised with poppler's pdftoppm and looked at as pixels."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from fupin.reports.cards import render_household_card
from fupin.reports.notices import NoticeKind, build_public_notice, render_public_notice
from fupin.reports.pdf import html_to_pdf
from tests.reports.conftest import World

PDFTOPPM = shutil.which("pdftoppm")
needs_pdftoppm = pytest.mark.skipif(
    PDFTOPPM is None,
    reason="pdftoppm (Debian package poppler-utils) is not installed: apt-get install poppler-utils",
)
DPI = 72  # one pixel per PDF point: A4 is 595 × 842


def page_one(pdf: bytes, tmp_path: Path, dpi: int = DPI) -> Image.Image:
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 (fixed executable, our own file)
        [
            PDFTOPPM,
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            "-gray",
            "-png",
            "-singlefile",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=120,
    )
    return Image.open(tmp_path / "page.png").convert("L")


def dark(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    return sum(image.crop(box).histogram()[:128])  # pixels darker than mid-grey


@needs_pdftoppm
def test_the_notice_title_is_drawn_in_ink(world: World, tmp_path: Path) -> None:
    notice = build_public_notice(
        world.village, NoticeKind.IDENTIFICATION, world.households, period_start=dt.date(2026, 11, 23)
    )
    image = page_one(render_public_notice(notice), tmp_path)
    assert abs(image.width - 595) <= 1 and abs(image.height - 842) <= 1  # A4 (210 × 297 mm), rounded
    title = (0, 40, 595, 90)  # the 18 pt bold title below the top margin
    inked = dark(image, title)
    # Measured here: the 13 bold characters leave about 1,500 dark pixels, the same line of
    # hollow "tofu" boxes about 1,050, an empty line none. Tofu is caught for certain by
    # test_no_character_lacks_a_glyph below; this checks that the title is really drawn.
    assert inked > 1200, inked
    assert dark(image, (0, 0, 595, 35)) == 0  # nothing printed in the top margin


@needs_pdftoppm
def test_glyphs_are_the_characters_asked_for(tmp_path: Path) -> None:
    # 十 has two strokes, 洞 nine, 整 sixteen: drawn at the same size, the right glyphs differ in ink by
    # a wide margin. The split-font bug printed 十八洞村 as 十但火整, which this would catch.
    def ink(char: str) -> int:
        pdf = html_to_pdf(f'<p style="font-size: 120pt; margin: 0">{char}</p>')
        return dark(page_one(pdf, tmp_path), (0, 0, 595, 300))

    one, cave, whole = ink("十"), ink("洞"), ink("整")
    assert one < cave < whole, (one, cave, whole)
    assert whole > 2 * one


@needs_pdftoppm
def test_the_card_renders_too(world: World, tmp_path: Path) -> None:
    image = page_one(render_household_card(world.households[0]), tmp_path)
    assert dark(image, (0, 40, 595, 90)) > 600  # 扶贫明白卡, five bold characters


def test_no_character_lacks_a_glyph(world: World, caplog: pytest.LogCaptureFixture) -> None:
    # WeasyPrint draws a .notdef box (tofu) for a character no font covers and says so in its log.
    notice = build_public_notice(
        world.village, NoticeKind.EXIT, world.households, period_start=dt.date(2026, 1, 5)
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_public_notice(notice)
        render_household_card(world.households[0])
        html_to_pdf("<p>\ue000</p>")  # a private-use character: proves the warning is seen
    notdef = [r for r in caplog.records if ".notdef" in r.getMessage()]
    assert len(notdef) == 1 and "U+E000" in notdef[0].getMessage()
