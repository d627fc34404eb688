#!/usr/bin/env bash
# Installs everything Canary needs on a fresh machine: the system libraries the
# `canvas` package (charts) builds against when no prebuilt binary can be downloaded,
# then the npm dependencies (whose postinstall generates the Prisma clients).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev)
if command -v dpkg >/dev/null 2>&1; then
  missing=()
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${missing[*]} (needed to build canvas)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "setup: not a Debian-like system; if npm cannot build canvas, install cairo, pango, libjpeg, giflib and librsvg development packages"
fi

if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
