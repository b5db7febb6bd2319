"""Copy the front-end files the pages use out of node_modules into vendor/.

Only what is served: the Chinese web font alone ships ~1,900 files, and the static-file
server indexes every file it is given at start-up, so the two weights used (400, 700) are
copied in their woff2 form and the CSS is rewritten to name only those.
Run by `make install` after npm; safe to run again.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
OUT = ROOT / "vendor"

FILES = {
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "pico/pico.min.css": "@picocss/pico/css/pico.min.css",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}
FONT = NODE / "@fontsource" / "noto-sans-sc"
WEIGHTS = ("400", "700")


def main() -> int:
    if not NODE.exists():
        print("node_modules is missing: run npm ci first", file=sys.stderr)
        return 1
    if OUT.exists():
        shutil.rmtree(OUT)
    for target, source in FILES.items():
        (OUT / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(NODE / source, OUT / target)
    font_out = OUT / "noto-sans-sc"
    (font_out / "files").mkdir(parents=True)
    for weight in WEIGHTS:
        css = (FONT / f"{weight}.css").read_text(encoding="utf-8")
        # Every browser that can run the pages reads woff2; the woff fallbacks would double the files.
        css = re.sub(r",\s*url\([^)]*\.woff\) format\('woff'\)", "", css)
        (font_out / f"{weight}.css").write_text(css, encoding="utf-8")
        for name in re.findall(r"url\(\./files/([^)]+\.woff2)\)", css):
            shutil.copyfile(FONT / "files" / name, font_out / "files" / name)
    count = sum(1 for p in OUT.rglob("*") if p.is_file())
    print(f"vendor/: {count} asset files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
