#!/usr/bin/env bash
# session 15, call 4: the row kernels (shiftedLayerNorm, layerNormDot) with warps strided over the rows and the next
# row's loads issued before the current row's reductions: build; kernel check; dense decoding twice and a trace;
# then the same tree with decoder_kernels.cu as committed (one row per warp) rebuilt and timed twice: an A/B in one call.
set -u
# (.bench-results/s15/decoder_kernels_6e26eb4.cu was `git show 6e26eb4:core/cuda/decoder_kernels.cu`, carried; the tree had
# call4_strided_rows.diff applied on top of 6e26eb4.)
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check > $R/check_build.txt 2>&1
tail -n 2 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 60 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
grep -a "FAIL\|LayerNorm.*[0-9]\{5\}x\|layerNormDot.*[0-9]\{5\}" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export --decoder dense"
for round in 1 2; do timeout 30 $B $A --json $R/dense_strided_$round.json > $R/dense_strided_$round.log 2>&1; done
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 30 $B $A > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -9
echo "before the rebuild: $SECONDS s"
cp .bench-results/s15/decoder_kernels_6e26eb4.cu core/cuda/decoder_kernels.cu
cmake --build build-device -j16 --target orfeas-bench > $R/rebuild.txt 2>&1; echo "rebuild rc $? at $SECONDS s"
for round in 1 2; do timeout 30 $B $A --json $R/dense_perrow_$round.json > $R/dense_perrow_$round.log 2>&1; done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
