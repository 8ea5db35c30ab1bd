#!/usr/bin/env bash
# session 13, call 9: the whole tree built on the device with the decoder's own attention kernel wired in (the default
# where it serves; ORFEAS_DECODER_ATTENTION=cudnn keeps cuDNN's) and the third front kernel: kernel check (with the
# attention against the host in double), GPU check (fixtures), dense decoding own/cuDNN alternating, the verification
# of the dense field against the operator path, a trace of a dense run, the decoder kernel bench.
set -u
R=$OUT/r; mkdir -p $R
export PATH=/usr/local/cuda/bin:$PATH
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
M=/tmp/m/v20-fitted
cmake --build build-device -j16 --target orfeas-neural-gpu-check orfeas-dit-kernel-check orfeas-decoder-kernel-bench > $R/check_build.txt 2>&1
tail -n 5 $R/devbench_build.txt; grep -i " error\|error:" $R/check_build.txt | head -5
timeout 100 build-device/core/cuda/orfeas-dit-kernel-check > $R/kcheck.txt 2>&1; echo "rc $?" >> $R/kcheck.txt
timeout 100 build-device/app/bench/orfeas-neural-gpu-check > $R/neural_gpu_check.txt 2>&1; echo "rc $?" >> $R/neural_gpu_check.txt
grep -a "FAIL\|decoderAttention\|skip" $R/kcheck.txt | head -12; tail -n 2 $R/kcheck.txt
grep -h "FAIL\|PASSED" $R/neural_gpu_check.txt | head -8; tail -n 1 $R/neural_gpu_check.txt
A="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
timeout 60 $B $A --decoder dense --json $R/dense_own1.json > $R/dense_own1.log 2>&1
ORFEAS_DECODER_ATTENTION=cudnn timeout 60 $B $A --decoder dense --json $R/dense_cudnn1.json > $R/dense_cudnn1.log 2>&1
timeout 60 $B $A --decoder dense --json $R/dense_own2.json > $R/dense_own2.log 2>&1
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
V="resources/samples/vase.png --backend hunyuan3d --model $M --device cuda --precision fp16 --images 1 --warmup 0 --no-export -v"
ORFEAS_DECODER_VERIFY=1 timeout 90 $B $V --decoder dense > $R/verify_dense.log 2>&1
grep -ih "verif\|differ\|flip" $R/verify_dense.log | head -6
mkdir -p /tmp/tr; ORFEAS_TORCH_TRACE=/tmp/tr timeout 90 $B $A --decoder dense -v > $R/trace_run.log 2>&1
for f in /tmp/tr/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
grep -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -10
timeout 60 build-device/core/cuda/orfeas-decoder-kernel-bench 30 > $R/kernel_bench.txt 2>&1; cat $R/kernel_bench.txt
echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
