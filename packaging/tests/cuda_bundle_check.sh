#!/usr/bin/env bash
# Manual check of the CUDA variant of the package (docs/packaging.md, "The CUDA variant"), for a GPU machine with
# the PyTorch wheel's CUDA LibTorch (the project's GPU machine: source shared/device/setup.sh first). Not a CTest
# test: CI has no GPU and no CUDA LibTorch.
#   1. configures a CLI-only build with ORFEAS_WITH_CUDA=ON and ORFEAS_BUNDLE_TORCH=ON, the wheel's nvidia-* library
#      folders as ORFEAS_BUNDLE_EXTRA_LIBDIRS, and builds it;
#   2. installs it into a staging prefix and runs `orfeas info` and `orfeas generate` from there with an empty
#      environment (the driver's folder only on LD_LIBRARY_PATH where the driver is not on the loader's path);
#   3. builds the .deb (cpack), installs it with apt, runs the installed program the same way, and removes it.
# Usage: [ORFEAS_CHECK_MODEL=<tiny model folder>] packaging/tests/cuda_bundle_check.sh <build folder> <report folder>
#        [CUDA architectures, default 90]
# With ORFEAS_CHECK_MODEL (e.g. tests/data/hy3d-tiny), the installed package also runs the neural backend on the GPU
# from a model folder found where users keep theirs.
set -uo pipefail
build=$1
report=$2
archs=${3:-90}
mkdir -p "$report"
log() { echo "== [$SECONDS s] $*" | tee -a "$report/summary.txt"; }
site=$(python3 -c 'import torch, os; print(os.path.dirname(os.path.dirname(torch.__file__)))')
mapfile -t nvdirs < <(find "$site/nvidia" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u)
extra=$(IFS=';'; echo "${nvdirs[*]}")
log "torch $(python3 -c 'import torch; print(torch.__version__)'); nvidia library folders: ${#nvdirs[@]}"
du -shc "$site/torch/lib" "${nvdirs[@]}" 2>/dev/null | tail -n 1 | tee -a "$report/summary.txt"

log "configure + build"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DORFEAS_BUILD_GUI=OFF -DORFEAS_BUILD_TESTS=OFF \
  -DORFEAS_WITH_CUDA=ON "-DCMAKE_CUDA_ARCHITECTURES=$archs" -DORFEAS_BUNDLE_TORCH=ON \
  "-DORFEAS_BUNDLE_EXTRA_LIBDIRS=$extra" >"$report/configure.txt" 2>&1 || { tail -n 30 "$report/configure.txt"; exit 1; }
cmake --build "$build" -j "$(nproc)" >"$report/build.txt" 2>&1 || { tail -n 40 "$report/build.txt"; exit 1; }

driver_dir=""
if ! ldconfig -p | grep -q 'libcuda.so.1'; then
  driver_dir=$(dirname "$(find / -name 'libcuda.so.1' -not -path '*/stubs/*' 2>/dev/null | head -n 1)")
fi
bare=(env -i PATH=/usr/bin:/bin HOME=/tmp/orfeas-home ${driver_dir:+LD_LIBRARY_PATH=$driver_dir})
mkdir -p /tmp/orfeas-home
log "driver folder outside the loader's path: ${driver_dir:-none}"

log "install into a staging prefix"
stage=/tmp/orfeas-stage
rm -rf "$stage"
cmake --install "$build" --prefix "$stage" >"$report/install.txt" 2>&1 || { tail -n 20 "$report/install.txt"; exit 1; }
du -sh "$stage" | tee -a "$report/summary.txt"
readelf -d "$stage/bin/orfeas" | grep -i 'runpath' | tee -a "$report/summary.txt"
"${bare[@]}" ldd "$stage/bin/orfeas" >"$report/ldd-stage.txt" 2>&1
grep -c '=> /tmp/orfeas-stage' "$report/ldd-stage.txt" | sed 's/^/libraries resolved inside the staging prefix: /' | tee -a "$report/summary.txt"
grep 'not found' "$report/ldd-stage.txt" | tee -a "$report/summary.txt"
"${bare[@]}" "$stage/bin/orfeas" info >"$report/info-stage.txt" 2>&1; echo "orfeas info (staged): $?" | tee -a "$report/summary.txt"
"${bare[@]}" "$stage/bin/orfeas" generate "$stage/share/orfeas/samples/vase.png" -o /tmp/orfeas-m1 --backend inflate \
  >"$report/generate-stage.txt" 2>&1; echo "orfeas generate (staged): $?" | tee -a "$report/summary.txt"

log "cpack -G DEB"
(cd "$build" && timeout 420 cpack -G DEB -B /tmp/orfeas-deb) >"$report/cpack.txt" 2>&1
echo "cpack: $?" | tee -a "$report/summary.txt"
deb=$(ls /tmp/orfeas-deb/orfeas_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { tail -n 30 "$report/cpack.txt"; exit 1; }
ls -l "$deb" | tee -a "$report/summary.txt"
dpkg-deb --field "$deb" Depends Installed-Size | tee -a "$report/summary.txt"
log "apt-get install"
if apt-get install -y -q "$deb" >"$report/apt.txt" 2>&1; then echo "apt-get install: 0" | tee -a "$report/summary.txt"
else
  # Libraries unpacked with dpkg -x (shared/device/setup.sh) are not in dpkg's database: apt cannot see them.
  echo "apt-get install failed (offline, unregistered dependencies): dpkg -i --force-depends" | tee -a "$report/summary.txt"
  dpkg -i --force-depends "$deb" >>"$report/apt.txt" 2>&1; echo "dpkg -i: $?" | tee -a "$report/summary.txt"
fi
"${bare[@]}" orfeas info >"$report/info-installed.txt" 2>&1; echo "orfeas info (installed): $?" | tee -a "$report/summary.txt"
"${bare[@]}" orfeas generate /usr/share/orfeas/samples/vase.png -o /tmp/orfeas-m2 >"$report/generate-installed.txt" 2>&1
echo "orfeas generate (installed, backend auto, no weights): $?" | tee -a "$report/summary.txt"
if [ -n "${ORFEAS_CHECK_MODEL:-}" ]; then
  # A model folder where users keep theirs (~/.cache/hy3dgen/<org>/<repo>/<variant>): found by discovery, run on the
  # GPU by the bundled CUDA LibTorch.
  models=/tmp/orfeas-home/.cache/hy3dgen/tencent/Hunyuan3D-2/hunyuan3d-dit-v2-0
  mkdir -p "$models" && cp "$ORFEAS_CHECK_MODEL"/config.yaml "$ORFEAS_CHECK_MODEL"/model*.safetensors "$models/"
  "${bare[@]}" orfeas model list >"$report/model-list.txt" 2>&1; echo "orfeas model list: $?" | tee -a "$report/summary.txt"
  "${bare[@]}" orfeas generate /usr/share/orfeas/samples/vase.png -o /tmp/orfeas-m3 --backend auto --device cuda \
    --octree 64 -v >"$report/generate-neural.txt" 2>&1
  echo "orfeas generate (installed, backend auto, model in ~/.cache/hy3dgen, cuda): $?" | tee -a "$report/summary.txt"
  grep -o '"backend": *"[a-z0-9]*"' /tmp/orfeas-m3/vase.report.json | tee -a "$report/summary.txt"
fi
dpkg --purge orfeas >>"$report/apt.txt" 2>&1; echo "dpkg --purge: $?" | tee -a "$report/summary.txt"
dpkg -L orfeas >/dev/null 2>&1 && echo "still installed" | tee -a "$report/summary.txt"
[ -e /usr/lib/orfeas ] && echo "left: /usr/lib/orfeas" | tee -a "$report/summary.txt"
log "done"
