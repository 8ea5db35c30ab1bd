#!/usr/bin/env bash
# session 10, call 1: batched guided sampling: kernel check, fixtures (sampling_batch on the GPU), batch with and
# without cross-job batching (2 and 3 jobs), one image (regression), low-VRAM peak
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
export PATH=/usr/local/cuda/bin:$PATH
B=build-device/app/bench/orfeas-bench; O=build-device/app/cli/orfeas
M=/tmp/m/v20-fitted
(cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/kcheck_build.txt 2>&1 && timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt)
for m in hy3d-tiny hy3d-tiny-turbo; do for p in fp32 fp16; do echo "== $m $p" >> $R/fixtures.txt; timeout 60 $O model check tests/data/$m --reference tests/data/$m/io.safetensors --device cuda --precision $p >> $R/fixtures.txt 2>&1; echo "rc $?" >> $R/fixtures.txt; done; done
C="--backend hunyuan3d --model $M --device cuda --precision fp16"
timeout 60 $B resources/samples/vase.png $C --images 1 --warmup 1 --json $R/single.json > $R/single.log 2>&1
for j in 2 3; do
  timeout 75 $B resources/samples $C --images 16 --warmup 1 --jobs $j -v --json $R/batch_on_j$j.json > $R/batch_on_j$j.log 2>&1
  ORFEAS_BATCH_SAMPLING=0 timeout 75 $B resources/samples $C --images 16 --warmup 1 --jobs $j --json $R/batch_off_j$j.json > $R/batch_off_j$j.log 2>&1
done
timeout 60 $B resources/samples/vase.png $C --images 1 --warmup 1 --low-vram --json $R/lowvram.json > $R/lowvram.log 2>&1
nvidia-smi > $R/smi.txt 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
