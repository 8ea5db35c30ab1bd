#!/usr/bin/env bash
# session 10, call 3: final code (batched sampling opt-in): the default benchmark with the reference in the same call
set -u
R=$OUT/r; mkdir -p $R
OUT=$R DEADLINE=300 ONLY=build,models bash packaging/scripts/device-bench.sh > $R/devbench_build.txt 2>&1
OUT=$R DEADLINE=$((570 - SECONDS)) ONLY=single,ref,cold,batch SKIP_BUILD=1 bash packaging/scripts/device-bench.sh > $R/devbench_bench.txt 2>&1
cd $OUT && tar czf r.tgz r && rm -rf r
