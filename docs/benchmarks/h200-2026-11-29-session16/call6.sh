#!/usr/bin/env bash
# session 16, call 6: on the same machine, still held: two more dense A/B rounds (lazy against
# ORFEAS_DECODER_ATTENTION_LAZY=0, alternating) and a trace of a dense run. As run (one command line, spread out).
set -u; R=$OUT/r; mkdir -p $R; source shared/device/setup.sh >/dev/null 2>&1
B=build-device/app/bench/orfeas-bench
A="resources/samples/vase.png --backend hunyuan3d --model /tmp/m/v20-fitted --device cuda --precision fp16 --images 1 --warmup 1 --no-export"
for round in 3 4; do
  timeout 60 $B $A --decoder dense --json $R/dense_lazy_$round.json > /dev/null 2>&1
  ORFEAS_DECODER_ATTENTION_LAZY=0 timeout 60 $B $A --decoder dense --json $R/dense_eager_$round.json > /dev/null 2>&1
done
python3 .bench-results/summ.py $R/dense_*.json 2>&1 | grep -o "^[a-z_0-9.]*json\|sg/volume_decoding [0-9.]*"
mkdir -p /tmp/tr2; ORFEAS_TORCH_TRACE=/tmp/tr2 timeout 40 $B $A --decoder dense > /dev/null 2>&1
for f in /tmp/tr2/*.json; do python3 packaging/scripts/trace-summary.py $f > $R/trace_$(basename $f .json).txt 2>&1; done
grep -h -A30 "volume_decoding" $R/trace_*-1.txt | grep "kernel" | head -8; echo "seconds $SECONDS"
cd $OUT && tar czf r.tgz r && rm -rf r
