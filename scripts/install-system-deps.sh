#!/usr/bin/env bash
# Debian packages the tests use, installed only if missing (needs root or sudo):
#   libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri: EGL + Mesa llvmpipe, the software adapter
#     Dawn uses for WebGPU on a machine without a GPU (Dawn dlopens the unversioned
#     libEGL.so, which only libegl-dev provides).
#   chromium: the real-client test (test/browser.test.ts) opens an executed notebook in
#     JupyterLab in headless Debian chromium through playwright-core (never a downloaded browser).
set -euo pipefail
pkgs=(libegl1 libegl-dev libegl-mesa0 libgl1-mesa-dri chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
