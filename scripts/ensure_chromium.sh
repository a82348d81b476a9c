#!/usr/bin/env bash
# Chromium for the browser tests (tests/e2e): Debian's package at
# /usr/bin/chromium, installed with apt-get only when it is missing.
# Playwright drives it; no browser is ever downloaded by Playwright.
set -euo pipefail
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then exit 0; fi
echo "Chromium not installed: installing it with apt-get"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "cannot install Chromium: no apt-get on this machine; install it so that $CHROMIUM exists" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "cannot install Chromium: not root and no sudo; run: apt-get install -y chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -qq || ! $SUDO apt-get install -y -qq chromium >/dev/null; then
  echo "apt-get could not install chromium; the browser tests (tests/e2e) need $CHROMIUM" >&2
  exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "chromium was installed but $CHROMIUM is missing" >&2
  exit 1
fi
"$CHROMIUM" --version 2>/dev/null || true
