#!/usr/bin/env bash
# Configures and builds ORFEAS (Release, tests on) into ./build-release. Extra arguments go to CMake.
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DORFEAS_BUILD_TESTS=ON "$@"
cmake --build build-release -j "$jobs"
