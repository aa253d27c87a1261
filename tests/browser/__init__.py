"""Browser tests: Playwright drives Debian's Chromium against the app served on 127.0.0.1."""
