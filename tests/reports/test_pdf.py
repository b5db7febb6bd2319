"""The PDF engine: whole Noto Sans SC files and nothing else, no network, A4, page numbers,
and a clear message when the fonts are not installed."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from django.test import override_settings

from fupin.reports import pdf
from fupin.reports.pdf import PdfFontsMissing, PdfResourceRefused, html_to_pdf

pytestmark = pytest.mark.django_db  # see test_notice_guard: the first test of a run needs the db


def embedded_fonts(data: bytes) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def test_chinese_text_comes_out_in_noto_sans_sc_only() -> None:
    data = html_to_pdf("<h1>十八洞村</h1><p>Latin 123 and 中文 <b>粗体</b></p>")
    fonts = embedded_fonts(data)
    # Named after our @font-face family: a system font picked as a fallback would show up here.
    assert {name.split("+", 1)[1] for name in fonts} == {"Fupin-Noto-Sans-SC", "Fupin-Noto-Sans-SC-Bold"}
    assert len(data) < 200_000  # subset, not the 10 MB font files
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert "十八洞村" in text and "第 1 页，共 1 页" in text


def test_a_template_renders_with_its_title() -> None:
    data = pdf.render_pdf("reports/pdf_base.html", {}, title="十八洞村公示")
    assert pypdf.PdfReader(io.BytesIO(data)).metadata.title == "十八洞村公示"


def test_missing_fonts_fail_with_the_way_to_fix_it(tmp_path: Path) -> None:
    with override_settings(FUPIN_PDF_FONT_DIR=tmp_path / "nowhere"), pytest.raises(PdfFontsMissing) as caught:
        html_to_pdf("<p>十八洞村</p>")
    assert "make install" in str(caught.value)
    assert "@expo-google-fonts/noto-sans-sc" in str(caught.value)


@pytest.mark.parametrize(
    "src",
    [
        "http://127.0.0.1:9/logo.png",
        "https://example.com/logo.png",
        "file:///etc/hostname",
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_nothing_outside_the_font_and_static_dirs_is_fetched(src: str) -> None:
    with pytest.raises(PdfResourceRefused):
        html_to_pdf(f'<p>十八洞村</p><img src="{src}">')


def test_a_path_that_climbs_out_of_the_font_dir_is_refused() -> None:
    regular, _ = pdf.font_paths()
    sneaky = regular.parent.as_uri() + "/../../../../../../etc/hostname"
    with pytest.raises(PdfResourceRefused):
        html_to_pdf(f'<img src="{sneaky}">')


def test_files_inside_the_allowed_dirs_are_read() -> None:
    fetcher = pdf._fetcher_class()(pdf.allowed_roots())
    regular, _ = pdf.font_paths()
    response = fetcher(regular.as_uri())
    assert response.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    response.close()
