#!/usr/bin/env bash
# The whole test suite on a fresh machine: install dependencies (including the glTF validator from npm and the
# Slurm/munge packages for the farm test), build, and run every test. GPU tests skip without a GPU.
# Then the sanitizer and fuzzing stage (run-sanitizers.sh: ASan+UBSan build and suite, leak check, ThreadSanitizer
# job-runner stress, libFuzzer targets; docs/reliability.md). ORFEAS_CI_SANITIZERS=0 skips that stage;
# ORFEAS_FUZZ_SECONDS sets the time per fuzz target (default 60).
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS
packaging/scripts/install-deps.sh --test
if [ -f tests/tools/package.json ]; then
  npm ci --prefix tests/tools --no-audit --no-fund --loglevel=error
fi
packaging/scripts/build.sh
built=$SECONDS
# GUI tests need a display: run the suite under a virtual X server with Mesa's software OpenGL.
(cd build-release && xvfb-run -a -s "-screen 0 1600x1000x24" ctest --output-on-failure --timeout 900 -j 2 "$@")
tested=$SECONDS
if [ "${ORFEAS_CI_SANITIZERS:-1}" != 0 ]; then
  packaging/scripts/run-sanitizers.sh --fuzz-seconds "${ORFEAS_FUZZ_SECONDS:-60}"
fi
echo "run-tests: deps + build $((built - started)) s, tests $((tested - built)) s," \
     "sanitizers + fuzzing $((SECONDS - tested)) s, total $((SECONDS - started)) s"
