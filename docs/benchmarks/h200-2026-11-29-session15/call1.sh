#!/usr/bin/env bash
# session 15, call 1 (planned in session 14): build; kernel check (the new decoderAttentionFromFeatures cases);
# dense A/B of ORFEAS_DECODER_QUERIES_IN_ATTENTION=1 against the default, alternating; verify against the operator
# path on the random full-size model and the fitted field with the opt-in; a trace of the opt-in.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-dit-kernel-check orfeas-neural-gpu-check > $R/check_build.txt 2>&1
tail -n 3 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 120 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
grep -a "FAIL\|FromFeatures" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 1 2; do
  timeout 60 $B $A --decoder dense --json $R/dense_default_$round.json > $R/dense_default_$round.log 2>&1
  ORFEAS_DECODER_QUERIES_IN_ATTENTION=1 timeout 60 $B $A --decoder dense --json $R/dense_inattn_$round.json > $R/dense_inattn_$round.log 2>&1
done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
ORFEAS_DECODER_QUERIES_IN_ATTENTION=1 timeout 60 $B $A --json $R/hier_inattn.json > $R/hier_inattn.log 2>&1
for m in /tmp/m/v20 $M; do
  V="resources/samples/vase.png --backend hunyuan3d --model $m --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
  ORFEAS_DECODER_QUERIES_IN_ATTENTION=1 ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_inattn_$(basename $m).log 2>&1
  grep -ih "against the operator" $R/verify_inattn_$(basename $m).log
done
mkdir -p /tmp/tr; ORFEAS_DECODER_QUERIES_IN_ATTENTION=1 ORFEAS_TORCH_TRACE=/tmp/tr timeout 60 $B $A --decoder dense > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -10
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
