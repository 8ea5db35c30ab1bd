#!/usr/bin/env bash
# Installs what ORFEAS needs to build, run and test on Debian 12 / Ubuntu 22.04+ (as root or through sudo).
# Usage: packaging/scripts/install-deps.sh [--test]   (--test adds what the test suite needs)
set -euo pipefail
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

pkgs=(build-essential cmake ninja-build pkg-config git
      qt6-base-dev qt6-3d-dev libqt6opengl6-dev qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
      libtorch-dev libassimp-dev libyaml-cpp-dev nlohmann-json3-dev libstb-dev libmeshoptimizer-dev
      libpng-dev libjpeg-dev libwebp-dev libcli11-dev libxkbcommon-dev libgl1-mesa-dri libqt6svg6 libopenblas0-pthread)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(xvfb xauth assimp-utils slurm-wlm munge dpkg-dev lintian appstream desktop-file-utils file nsis)
  # Node.js from another source (NodeSource, nvm) ships its own npm and conflicts with Debian's npm package:
  # only ask apt for Node.js when no working npm is on the PATH.
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    pkgs+=(nodejs npm)
  fi
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
