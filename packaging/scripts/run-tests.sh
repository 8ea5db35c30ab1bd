#!/usr/bin/env bash
# The whole test suite on a fresh machine: install dependencies (including the glTF validator from npm and the
# Slurm/munge packages for the farm test), build, and run every test. GPU tests skip without a GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
packaging/scripts/install-deps.sh --test
if [ -f tests/tools/package.json ]; then
  npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
fi
packaging/scripts/build.sh
cd build-release
# GUI tests need a display: run the suite under a virtual X server with Mesa's software OpenGL.
xvfb-run -a -s "-screen 0 1600x1000x24" ctest --output-on-failure --timeout 900 -j 2 "$@"
