#!/usr/bin/env bash
# The main job on a fresh machine: install dependencies, build, and turn the bundled sample image into a textured
# 3D model with the built-in (classic) backend. Writes GLB + OBJ and the reports into ./out/sample.
set -euo pipefail
cd "$(dirname "$0")/../.."
packaging/scripts/install-deps.sh
packaging/scripts/build.sh
mkdir -p out/sample
./build-release/app/cli/orfeas generate resources/samples/vase.png -o out/sample --format glb,obj --overwrite
echo
echo "Done. Open out/sample/vase.glb (or vase.obj) in any 3D viewer; reports: out/sample/*report*.json"
