"""HTML templates to PDF bytes with WeasyPrint, in Chinese, with no network.

Fonts: the two *whole* Noto Sans SC files from the npm package @expo-google-fonts/noto-sans-sc
(``make install``). A fresh machine has no CJK font, and the unicode-range split web fonts
(@fontsource) make WeasyPrint embed wrong glyphs (十八洞村 printed as 十但火整), so nothing
else is ever used: the family below is the only one the stylesheet names.

Resources: the fetcher given to WeasyPrint reads only ``file://`` URLs inside the font directory
or the static directories below; anything else (http, data:, a path outside) stops the render,
so a template can never make the server call out or read arbitrary files.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

FONT_FAMILY = "Fupin Noto Sans SC"
REGULAR = Path("400Regular") / "NotoSansSC_400Regular.ttf"
BOLD = Path("700Bold") / "NotoSansSC_700Bold.ttf"
APP_STATIC = Path(__file__).resolve().parent / "static"

# Every PDF: A4, margins that leave room for the page number, one font for every script
# (Noto Sans SC covers Latin digits and letters too, so no system font is ever picked).
BASE_CSS = """
@font-face {{ font-family: "{family}"; src: url("{regular}"); font-weight: 400; font-style: normal; }}
@font-face {{ font-family: "{family}"; src: url("{bold}"); font-weight: 700; font-style: normal; }}
@page {{
  size: A4;
  margin: 18mm 16mm 20mm 16mm;
  @bottom-center {{
    content: "第 " counter(page) " 页，共 " counter(pages) " 页";
    font-family: "{family}"; font-size: 8.5pt; color: #555;
  }}
}}
html {{ font-family: "{family}"; font-size: 10.5pt; line-height: 1.5; color: #000; }}
"""


class PdfFontsMissing(RuntimeError):
    """The CJK font files are not installed: a deployment problem, not a user error."""


class PdfResourceRefused(RuntimeError):
    """A template asked for something the fetcher may not read (network, outside file)."""


def font_paths() -> tuple[Path, Path]:
    """The regular and bold font files, or PdfFontsMissing saying how to get them."""
    font_dir = Path(settings.FUPIN_PDF_FONT_DIR)
    paths = (font_dir / REGULAR, font_dir / BOLD)
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise PdfFontsMissing(
            "The Chinese font files for PDFs are missing ("
            + ", ".join(missing)
            + "). Run `make install`: it installs the npm package @expo-google-fonts/noto-sans-sc."
        )
    return paths


def allowed_roots() -> tuple[Path, ...]:
    roots = [Path(settings.FUPIN_PDF_FONT_DIR), APP_STATIC, Path(settings.STATIC_ROOT)]
    return tuple(r.resolve() for r in roots)


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    # Imported here: WeasyPrint loads Pango and fontconfig through cffi, which costs a few
    # hundred milliseconds; processes that never print should not pay it at start-up.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Reads file:// URLs inside the allowed roots; refuses everything else."""

        def __init__(self, roots: tuple[Path, ...]) -> None:
            # fail_on_errors: a refused URL aborts the document instead of leaving a hole.
            super().__init__(allowed_protocols=("file",), fail_on_errors=True)
            self.roots = roots

        def fetch(self, url: str, headers: Any = None) -> Any:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise PdfResourceRefused(f"PDF resources must be local files, not {url!r}")
            path = Path(unquote(parts.path)).resolve()  # resolve: no ../ or symlink escapes
            if not any(path.is_relative_to(root) for root in self.roots):
                raise PdfResourceRefused(f"{path} lies outside the font and static directories")
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes())

    return LocalOnlyFetcher


def render_pdf(template_name: str, context: dict[str, Any], *, title: str = "") -> bytes:
    """Render a Django template to HTML, then to A4 PDF bytes with page numbers."""
    return html_to_pdf(render_to_string(template_name, context), title=title)


def html_to_pdf(html: str, *, title: str = "") -> bytes:
    """HTML to A4 PDF bytes; for callers that must inspect the HTML before printing it."""
    regular, bold = font_paths()
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _fetcher_class()(allowed_roots())
    # One FontConfiguration per document: it is not documented as thread-safe, and the web
    # server may render two PDFs at once.
    font_config = FontConfiguration()
    base = CSS(
        string=BASE_CSS.format(family=FONT_FAMILY, regular=regular.as_uri(), bold=bold.as_uri()),
        font_config=font_config,
        url_fetcher=fetcher,
    )
    try:
        document = HTML(string=html, url_fetcher=fetcher).render(stylesheets=[base], font_config=font_config)
        if title:
            document.metadata.title = title
        pdf: bytes = document.write_pdf()
    except FatalURLFetchingError as exc:
        # WeasyPrint's fatal error is a BaseException: it would escape Django's error handling.
        raise PdfResourceRefused(str(exc.__cause__ or exc)) from None
    return pdf
