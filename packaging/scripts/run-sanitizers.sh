#!/usr/bin/env bash
# The sanitizer and fuzzing part of CI (run by run-tests.sh after the normal build and tests):
#   1. the asan-fuzz preset (clang, AddressSanitizer + UndefinedBehaviorSanitizer, LeakSanitizer on; engine, CLI and
#      their tests; no GUI and no LibTorch, to keep CI time down) builds everything incl. the libFuzzer targets, and
#      runs the whole test suite of that build;
#   2. a short batch of the sanitized `orfeas` binary on the bundled samples, with leak checking;
#   3. the tsan preset builds the job-runner stress test and runs it under ThreadSanitizer;
#   4. every fuzz target for a bounded time (run-fuzz.sh).
# Usage: packaging/scripts/run-sanitizers.sh [--fuzz-seconds N] [--skip-tsan] [--skip-fuzz] [extra ctest args...]
# Wall and CPU seconds of each step are printed at the end and written to build-asan-fuzz/ci-sanitizer-timings.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
fuzz_seconds=60
skip_tsan=0
skip_fuzz=0
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --fuzz-seconds) fuzz_seconds=$2; shift 2 ;;
    --skip-tsan) skip_tsan=1; shift ;;
    --skip-fuzz) skip_fuzz=1; shift ;;
    *) ctest_args+=("$1"); shift ;;
  esac
done
jobs=$(nproc 2>/dev/null || echo 2)
asan_dir=build-asan-fuzz
tsan_dir=build-tsan

# clang with libFuzzer and the sanitizer runtimes (Debian 12: clang-14, libclang-rt-14-dev).
if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "installing clang and libclang-rt-dev (libFuzzer, sanitizer runtimes)"
  $SUDO apt-get update -q
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang libclang-rt-dev ||
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev
fi

timings=()
cpu_seconds() { # user + system seconds of this shell's finished children
  times | tail -1 | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, "m"); t += a[1] * 60 + a[2] } print t }'
}
step() {
  local name=$1; shift
  local t0=$SECONDS c0
  c0=$(cpu_seconds)
  echo "==== $name"
  "$@"
  local c1
  c1=$(cpu_seconds)
  timings+=("$(printf '%-34s wall %5d s   cpu %7s s' "$name" $((SECONDS - t0)) \
    "$(awk -v a="$c1" -v b="$c0" 'BEGIN { printf "%.0f", a - b }')")")
}

export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/reliability/lsan.supp:print_suppressions=0"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/reliability/tsan.supp"

step "asan-fuzz: configure" cmake --preset asan-fuzz
step "asan-fuzz: build" cmake --build --preset asan-fuzz -j "$jobs"
# Every test of that build (engine, CLI, reliability; the neural tests need LibTorch, the GUI tests the GUI).
step "asan-fuzz: ctest" ctest --test-dir "$asan_dir" --output-on-failure --timeout 1800 -j "$jobs" "${ctest_args[@]}"

leak_batch() {
  local out
  out=$(mktemp -d "${TMPDIR:-/tmp}/orfeas-leak.XXXXXX")
  "$asan_dir/app/cli/orfeas" generate resources/samples -o "$out" --backend inflate --resolution 64 \
    --texture-size 256 --format glb,obj,stl,ply --jobs 2
  rm -rf "$out"
}
step "asan-fuzz: leak check of a batch" leak_batch

if [ "$skip_tsan" = 0 ]; then
  step "tsan: configure" cmake --preset tsan
  step "tsan: build stress test" cmake --build --preset tsan -j "$jobs" --target tst_job_runner_stress
  step "tsan: job runner stress" "$tsan_dir/tests/reliability/tst_job_runner_stress"
fi

if [ "$skip_fuzz" = 0 ]; then
  step "fuzz: ${fuzz_seconds} s per target" packaging/scripts/run-fuzz.sh "$fuzz_seconds" "$asan_dir"
fi

printf '%s\n' "${timings[@]}" | tee "$asan_dir/ci-sanitizer-timings.txt"
