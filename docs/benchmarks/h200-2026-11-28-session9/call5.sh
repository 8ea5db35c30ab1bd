#!/usr/bin/env bash
# session 9, call 5: the merged gatedResidual kernel: kernel check and the tiny fixtures on the GPU (no benchmark)
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=150 ONLY=build bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
O=build-device/app/cli/orfeas
(cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/kc_build.txt 2>&1 && timeout 40 build-device/core/cuda/orfeas-dit-kernel-check > $R/kernel_check.txt 2>&1; echo "rc $?" >> $R/kernel_check.txt)
for m in hy3d-tiny hy3d-tiny-turbo; do for p in fp32 fp16; do echo "== $m $p" >> $R/fixtures.txt; timeout 30 $O model check tests/data/$m --reference tests/data/$m/io.safetensors --device cuda --precision $p >> $R/fixtures.txt 2>&1; echo "rc $?" >> $R/fixtures.txt; done; done
cd $OUT && tar czf r.tgz r && rm -rf r
