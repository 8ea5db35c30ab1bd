#!/usr/bin/env bash
# session 16, call 2: the sliced block (the output projection, the MLP and ln_post per slice of 32768 rows, so that
# a slice's rows pass from one pass to the next through L2; ORFEAS_DECODER_SLICED_BLOCK=0 is the chunk-wide order of
# call 1): build; the MLP's products alone with each epilogue (orfeas-decoder-kernel-bench); neural GPU check; dense
# A/B, alternating: sliced at 32768, sliced at 16384 rows, chunk-wide; the sliced path against the operator path on
# the random full-size model; a trace of a dense run.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-decoder-kernel-bench > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 60 build-device/core/cuda/orfeas-decoder-kernel-bench 30 > $R/kernel_bench.txt 2>&1; tail -n 8 $R/kernel_bench.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
tail -n 2 $R/neural_gpu_check.txt
echo "before dense: $SECONDS s"
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_sliced32k_$round.json > $R/dense_sliced32k_$round.log 2>&1
  ORFEAS_DECODER_MLP_SLICE=16384 timeout 60 $B $A --decoder dense --json $R/dense_sliced16k_$round.json > $R/dense_sliced16k_$round.log 2>&1
  ORFEAS_DECODER_SLICED_BLOCK=0 timeout 60 $B $A --decoder dense --json $R/dense_chunk_$round.json > $R/dense_chunk_$round.log 2>&1
done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
V="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20 --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
[ $SECONDS -lt 480 ] && ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_v20.log 2>&1
grep -ih "against the operator" $R/verify_v20.log
if [ $SECONDS -lt 520 ]; then
  mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 40 $B $A --decoder dense > $R/trace_run.log 2>&1
  for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
  grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -9
fi
nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv > $R/machine.txt 2>&1
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
