#!/usr/bin/env bash
# Runs every libFuzzer target of ORFEAS for a bounded time and fails if any of them finds a crash (a sanitizer
# report, an abort on a broken contract, a timeout or running out of memory).
#
# Usage: packaging/scripts/run-fuzz.sh [seconds per target, default 60] [build folder, default build-asan-fuzz]
# The build folder must have been configured with ORFEAS_FUZZ=ON (the asan-fuzz preset) and the `fuzzers` target
# built. The committed seeds (tests/reliability/fuzz/corpus/<target>) and regression inputs are read, never written:
# new corpus entries go to a scratch folder. Crash inputs are saved to <build>/fuzz-artifacts/; a summary table
# (executions, coverage, new inputs per target) goes to <build>/fuzz-summary.txt, the logs to <build>/fuzz-logs/.
# Environment: ORFEAS_FUZZ_PARALLEL (targets run at once; default: the number of CPUs, at most 4).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}
build=${2:-build-asan-fuzz}
src=tests/reliability/fuzz
bin="$build/tests/reliability/fuzz"
targets=(image safetensors model_config batch_paths)
artifacts="$build/fuzz-artifacts"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/orfeas-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
logs="$build/fuzz-logs"
mkdir -p "$artifacts" "$logs"
parallel=${ORFEAS_FUZZ_PARALLEL:-$(nproc 2>/dev/null || echo 2)}
[ "$parallel" -gt 4 ] && parallel=4

for t in "${targets[@]}"; do
  [ -x "$bin/fuzz_$t" ] || { echo "run-fuzz: $bin/fuzz_$t is missing (build the 'fuzzers' target of $build)" >&2; exit 2; }
done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run_one() {
  local t=$1
  local dict=()
  [ -f "$src/dict/$t.dict" ] && dict=(-dict="$src/dict/$t.dict")
  mkdir -p "$scratch/$t"
  local seeds=("$src/corpus/$t")
  [ -d "$src/regressions/$t" ] && seeds+=("$src/regressions/$t")
  # batch_paths creates and removes files on every input: give it a memory filesystem where there is one.
  local tmp="${TMPDIR:-/tmp}"
  [ "$t" = batch_paths ] && [ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
  # The first corpus folder receives new inputs; the committed ones are only read.
  TMPDIR="$tmp" "$bin/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts/$t-" "${dict[@]}" \
      "$scratch/$t" "${seeds[@]}" > "$logs/$t.log" 2>&1
}

echo "run-fuzz: ${#targets[@]} targets, ${secs} s each, $parallel at a time"
declare -A status
pids=()
names=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  names+=("$t")
  if [ "${#pids[@]}" -ge "$parallel" ]; then
    if wait "${pids[0]}"; then status[${names[0]}]=0; else status[${names[0]}]=$?; fi
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then status[${names[$i]}]=0; else status[${names[$i]}]=$?; fi
done

summary="$build/fuzz-summary.txt"
{
  printf '%-14s %8s %12s %9s %7s %7s %9s  %s\n' target seconds executions exec/s cov ft new result
  for t in "${targets[@]}"; do
    log="$logs/$t.log"
    execs=$(grep -a 'stat::number_of_executed_units:' "$log" | awk '{print $2}' | tail -1)
    new=$(grep -a 'stat::new_units_added:' "$log" | awk '{print $2}' | tail -1)
    rate=$(grep -a 'stat::average_exec_per_sec:' "$log" | awk '{print $2}' | tail -1)
    last=$(grep -aE '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    if [ "${status[$t]}" = 0 ]; then result=ok; else result="FAILED (exit ${status[$t]})"; fi
    printf '%-14s %8s %12s %9s %7s %7s %9s  %s\n' "$t" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
      "${new:-?}" "$result"
  done
} | tee "$summary"

failed=0
for t in "${targets[@]}"; do
  if [ "${status[$t]}" != 0 ]; then
    failed=1
    echo "---- fuzz_$t found a problem; the end of its log:" >&2
    tail -n 60 "$logs/$t.log" >&2
    ls -1 "$artifacts" | grep "^$t-" | sed "s|^|  saved: $artifacts/|" >&2 || true
  fi
done
exit $failed
