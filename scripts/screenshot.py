"""Log in to a running FastDSO and screenshot pages in headless Chromium.

    python scripts/screenshot.py --base http://127.0.0.1:8000 --user planner --password PW \
        --out /tmp/shots / /jobs/ /audit/

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never
downloads a browser. For looking at pages as a user would.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="planner")
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", default="/tmp/fastdso-shots")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--full", action="store_true", help="full-page screenshots")
    parser.add_argument("--lang", default="", help="es or en: the language cookie set before the pages")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": args.width, "height": 900})
        if args.lang:
            context.add_cookies([{"name": "django_language", "value": args.lang, "url": args.base}])
        page = context.new_page()
        page.goto(f"{args.base}/login/")
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for path in args.paths:
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            name = path.strip("/").replace("/", "_").replace("?", "_") or "home"
            target = out / f"{name}{'.' + args.lang if args.lang else ''}.png"
            page.screenshot(path=str(target), full_page=args.full)
            print(target)
        browser.close()


if __name__ == "__main__":
    main()
