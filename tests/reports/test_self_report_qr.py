"""Journey 7.1: each village's self-report link (/report/?village=CODE, absolute, from the
request) as a QR code made by segno, on the village page and printed on the village notices.

The page must hold exactly segno's code for the exact link, and the PDF's embedded image must be
segno's code module for module: a code for another address (or a broken one) fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import segno
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from fupin.accounts.models import User
from fupin.areas.models import Area
from fupin.cases import actions
from fupin.cases.models import Step
from fupin.core.personas import TOWNSHIP, VILLAGE
from fupin.reports.notices import BadNotice, NoticeKind, build_public_notice
from fupin.reports.qr import SCREEN_SCALE
from tests.cases.helpers import advance_to, candidate
from tests.conftest import make_household
from tests.reports.conftest import pdf_text
from tests.reports.test_rendering import needs_pdftoppm
from tests.reports.test_rendering import page_one as rendered_page

URL = f"http://testserver/report/?village={VILLAGE}"


DPI = 300
MARGIN_MM, QR_MM = 16, 32  # pdf.py's left page margin; the notice's stylesheet prints the code 32 mm


def page_one(pdf: bytes, tmp_path: Path) -> Image.Image:
    return rendered_page(pdf, tmp_path, dpi=DPI)


def printed_modules(image: Image.Image, size: int) -> list[list[int]]:
    """The modules of the code printed at the foot of the notice's left column, read as pixels.

    The code is the last thing in that column (the text beside it floats right of it, the page
    number is centred), so its dark modules end at the column's lowest dark pixel."""
    px = DPI / 25.4
    left, right = int((MARGIN_MM - 2) * px), int((MARGIN_MM + QR_MM + 1) * px)
    data = image.load()
    dark_rows = [y for y in range(image.height) if any(data[x, y] < 128 for x in range(left, right, 2))]
    module = QR_MM * px / (size + 8)  # 4 modules of quiet zone each side
    bottom = max(dark_rows) + 1
    top = bottom - size * module
    x0 = min(x for x in range(left, right) for y in range(int(top) + 1, bottom, 3) if data[x, y] < 128)
    return [
        [int(data[int(x0 + (c + 0.5) * module), int(top + (r + 0.5) * module)] < 128) for c in range(size)]
        for r in range(size)
    ]


def assert_prints_the_code_of(pdf: bytes, url: str, tmp_path: Path) -> None:
    code = segno.make(url)
    matrix = [[int(bool(v)) for v in row] for row in code.matrix]
    printed = printed_modules(page_one(pdf, tmp_path), len(matrix))
    wrong = sum(
        a != b for got, want in zip(printed, matrix, strict=True) for a, b in zip(got, want, strict=True)
    )
    assert wrong == 0, f"{wrong} of {len(matrix) ** 2} modules differ from segno's code for {url}"


def test_the_village_page_shows_segnos_code_for_its_exact_link(
    personas: dict[str, User], client_for: Any
) -> None:
    page = client_for("village_clerk").get(f"/areas/{VILLAGE}/").content.decode()
    with translation.override("zh-hans"):
        title = gettext("Self-report QR code")
    expected = segno.make(URL).svg_inline(scale=SCREEN_SCALE, light="#fff", title=title)
    assert expected in page
    # the link itself stays on this server's own path; the code and the words hold it whole
    assert f'href="/report/?village={VILLAGE}"' in page and f'<code translate="no">{URL}</code>' in page
    # a neighbouring village's code is another code: the page is not showing a fixed picture
    other = segno.make(URL.replace(VILLAGE, VILLAGE[:-1] + "9")).svg_inline(
        scale=SCREEN_SCALE, light="#fff", title=title
    )
    assert other != expected and other not in page
    # the link follows the address the page was reached by (the host people use)
    by_ip = client_for("village_clerk").get(f"/areas/{VILLAGE}/", HTTP_HOST="10.0.0.8").content.decode()
    assert (
        segno.make(URL.replace("testserver", "10.0.0.8")).svg_inline(
            scale=SCREEN_SCALE, light="#fff", title=title
        )
        in by_ip
    )
    # a township has no self-report link of its own
    assert "data-report-qr" not in client_for("township_officer").get(f"/areas/{TOWNSHIP}/").content.decode()


@needs_pdftoppm
def test_the_notice_preview_prints_the_code(
    personas: dict[str, User], client_for: Any, tmp_path: Path
) -> None:
    make_household(VILLAGE, status="poor")
    response = client_for("village_clerk").get(
        f"/reports/notice-preview/?village={VILLAGE}&kind=identification"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert URL in pdf_text(response.content).replace("\n", "")
    assert_prints_the_code_of(response.content, URL, tmp_path)
    # and not the code of another link: the reading above can tell two codes apart
    with pytest.raises(AssertionError, match="modules differ"):
        assert_prints_the_code_of(response.content, URL.replace(VILLAGE, VILLAGE[:-1] + "9"), tmp_path)


@needs_pdftoppm
def test_a_case_notice_prints_the_code(personas: dict[str, User], client_for: Any, tmp_path: Path) -> None:
    household = candidate(head_name="龙老实")
    case = actions.do_open_identification(
        household, origin="application", reason="收入低", actor=personas["village_clerk"]
    )
    case = advance_to(case, Step.FIRST_NOTICE, personas)
    actions.do_post_notice(case, starts_on=timezone.localdate(), actor=personas["village_clerk"])
    response = client_for("township_officer").get(f"/cases/{case.pk}/notices/1.pdf")
    assert response.status_code == 200
    village = household.area if household.area.level == 5 else household.area.parent
    url = f"http://testserver/report/?village={village.code}"
    assert_prints_the_code_of(response.content, url, tmp_path)


@pytest.mark.parametrize(
    "url",
    [
        "http://evil.example/pay?to=me",
        f"http://testserver/report/?village={VILLAGE[:-1]}9",  # another village
        f"http://testserver/report/?village={VILLAGE}&x=1",
        f"javascript:alert(1)//report/?village={VILLAGE}",
    ],
)
def test_a_notice_prints_no_code_but_its_own_villages_link(db: Any, url: str) -> None:
    village = Area.objects.get(code=VILLAGE)
    with pytest.raises(BadNotice) as caught:
        build_public_notice(
            village,
            NoticeKind.IDENTIFICATION,
            [],
            period_start=timezone.localdate(),
            sample=True,
            report_url=url,
        )
    assert caught.value.field == "report_url"
