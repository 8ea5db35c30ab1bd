#!/bin/sh
# Packs tst_cuda_mc and the shared libraries it needs (Qt, ICU, cudart, ...; not glibc or libstdc++, which the
# device machine has in newer versions) into one folder, so that the test can run on a GPU machine that has no Qt.
#   tests/core/gpu/make_device_bundle.sh <build dir> [<bundle dir, default: <build dir>/gpu-bundle>]
# It also writes <bundle dir>.tgz (a third of the size), to carry to the device machine and unpack there.
# Run it there as:  LD_LIBRARY_PATH=<bundle dir> <bundle dir>/tst_cuda_mc
set -eu
build=${1:?usage: make_device_bundle.sh <build dir> [<bundle dir>]}
bundle=${2:-$build/gpu-bundle}
test_bin=$build/tests/core/gpu/tst_cuda_mc
[ -x "$test_bin" ] || { echo "no $test_bin: configure with -DORFEAS_WITH_CUDA=ON and build tst_cuda_mc" >&2; exit 1; }
rm -rf "$bundle"
mkdir -p "$bundle"
cp "$test_bin" "$bundle/"
ldd "$test_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
  case $(basename "$lib") in
    libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libstdc++.so*|libgcc_s.so*) ;;
    *) cp -L "$lib" "$bundle/" ;;
  esac
done
tar czf "$bundle.tgz" -C "$(dirname "$bundle")" "$(basename "$bundle")"
du -sh "$bundle" "$bundle.tgz"
