"""QR codes for a village's self-report link (journey 7.1), made with segno.

Always a full QR code (``micro=False``): phone cameras read QR codes, few read Micro QR. The
code is inline SVG in the page and in the PDF, so nothing is fetched from anywhere to show it,
and no script draws it.
"""

from __future__ import annotations

import segno

# 4 modules of quiet zone (the standard's minimum) and 4 px a module on screen: about 150 px
# for a village's link, readable from a phone held at arm's length.
SCREEN_SCALE = 4


def make(url: str) -> segno.QRCode:
    return segno.make(url, micro=False)


def qr_svg(url: str, *, title: str = "") -> str:
    """The code as inline SVG for an HTML page (no XML declaration, no namespace)."""
    # A white ground of its own: a camera cannot read the code on a dark page theme.
    return make(url).svg_inline(scale=SCREEN_SCALE, light="#fff", title=title or None)


def qr_svg_print(url: str) -> str:
    """The code as inline SVG for a PDF: drawn by WeasyPrint itself as vector shapes (its
    fetcher loads no data: URI, and needs none here), sized by the stylesheet (a viewBox and no
    fixed size), with a white ground and the standard's quiet zone."""
    return make(url).svg_inline(scale=1, omitsize=True, light="#fff")
