#!/usr/bin/env bash
# The GPU benchmark of issue 5 in ONE device call (docs/benchmarks.md, "GPU (H100)"). Run from the project root on
# the GPU machine, with .device-debs and .reference carried:
#   bash packaging/scripts/device-bench.sh
# Steps (each logged with timestamps to $OUT/bench.log; results to $OUT/*.json as they are produced, so a call that
# runs out of time still returns what finished; the summary table is printed last):
#   build   configure + build orfeas and orfeas-bench (Release, CUDA, sm_90)           -> build.log
#   models  orfeas model init-random (full size) + fit-field (realistic surface)        -> models.log
#   single  one image at default settings, dense and hierarchical decoding, and 5 steps -> bench_single.json
#   ref     the Python reference, same GPU (../shared/device/reference_bench.py)        -> ref_bench.json
#   cold    a fresh process to the first GLB                                            -> bench_cold.json
#   batch   16 images at default settings: images/minute, NVML utilisation, p95/median  -> bench_batch.json
#   gputest the GPU test executables (only with GPU_TESTS=1; they need Qt6, which the GPU machine lacks)
#   summary the table                                                                   -> summary.txt
# Environment (all optional):
#   ONLY=single,batch      run only these steps (comma list; ONLY=bench: single,cold,batch); SKIP_<STEP>=1 skips one
#                          (SKIP_BUILD=1, SKIP_MODELS=1, SKIP_REF=1, ...)
#   BUILD_DIR=build-device  MODEL_DIR=/tmp/m  BENCH_MODEL=<folder> (use this model, skip the models step)
#   SINGLE_IMAGES=1 SINGLE_WARMUP=1 BATCH_IMAGES=16 BATCH_JOBS=2  BENCH_ARGS="..." (added to every orfeas-bench call)
#   DEVICE=cuda PRECISION=fp16 (DEVICE=cpu with BENCH_MODEL=tests/data/hy3d-tiny checks the script on a CPU machine)
#   DEADLINE=570            seconds after which no step starts and running ones are stopped (the call's limit is 600)
#   GPU_TESTS=1             also build and run the tests labelled gpu (needs Qt6 Test on the machine)
set -uo pipefail

OUT=${OUT:-/tmp/orfeas-device-bench}
export OUT
mkdir -p "$OUT"
LOG=$OUT/bench.log
DEADLINE=${DEADLINE:-570}
BUILD_DIR=${BUILD_DIR:-build-device}
MODEL_DIR=${MODEL_DIR:-/tmp/m}
SINGLE_IMAGES=${SINGLE_IMAGES:-1}
SINGLE_WARMUP=${SINGLE_WARMUP:-1}
BATCH_IMAGES=${BATCH_IMAGES:-16}
BATCH_JOBS=${BATCH_JOBS:-2}
BENCH_ARGS=${BENCH_ARGS:-}
RESERVE=12 # seconds kept for the summary

log() { echo "[$(date -u +%H:%M:%S) +${SECONDS}s] $*" | tee -a "$LOG"; }
want() {
  local step=$1 skip
  skip=SKIP_$(echo "$step" | tr '[:lower:]' '[:upper:]')
  [ "${!skip:-0}" = 1 ] && return 1
  [ -z "${ONLY:-}" ] && return 0
  [[ ",$ONLY," == *",$step,"* ]] && return 0
  # ONLY=bench: the orfeas-bench steps
  [[ ",$ONLY," == *",bench,"* ]] && [[ ",single,cold,batch," == *",$step,"* ]]
}
# Seconds left before the deadline, minus the summary's reserve.
left() { echo $((DEADLINE - SECONDS - RESERVE)); }
# run_step NAME MIN_SECONDS COMMAND...: runs COMMAND with what is left of the deadline (SIGTERM, then SIGKILL 8 s
# later: orfeas-bench cancels its jobs on SIGTERM and writes what finished), output to $OUT/NAME.log.
run_step() {
  local name=$1 need=$2; shift 2
  local budget
  budget=$(left)
  if [ "$budget" -lt "$need" ]; then
    log "$name: skipped, ${budget}s left before the deadline (needs ${need}s); rerun with ONLY=$name"
    return 124
  fi
  log "$name: start (limit ${budget}s)"
  local t0=$SECONDS rc
  timeout -k 8 "$budget" "$@" >>"$OUT/$name.log" 2>&1
  rc=$?
  log "$name: exit $rc after $((SECONDS - t0))s (output: $name.log)"
  return $rc
}

log "device-bench: OUT=$OUT, deadline ${DEADLINE}s, git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (modified)')"

# --- environment: shared/ lands next to the project or inside it
SHARED=""
for d in shared ../shared /work/shared; do
  [ -f "$d/device/setup.sh" ] && { SHARED=$d; break; }
done
if [ -n "$SHARED" ]; then
  # shellcheck disable=SC1091
  source "$SHARED/device/setup.sh" >>"$LOG" 2>&1
  log "setup: $SHARED/device/setup.sh sourced"
else
  log "setup: shared/device/setup.sh not found (continuing without it)"
fi
if ! command -v nvcc >/dev/null 2>&1 && [ -x /usr/local/cuda/bin/nvcc ]; then
  export PATH=/usr/local/cuda/bin:$PATH
fi
# NVML (GPU utilisation) is opened with dlopen: make sure the loader finds the driver's copy.
if ! ldconfig -p 2>/dev/null | grep -q 'libnvidia-ml.so.1'; then
  for d in /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu; do
    [ -e "$d/libnvidia-ml.so.1" ] && { export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"; break; }
  done
fi
{
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv 2>&1
  nvidia-smi 2>&1 | head -n 20
  lscpu 2>/dev/null | grep -E 'Model name|^CPU\(s\)'
  free -g 2>/dev/null | head -n 2
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1
} >"$OUT/machine.txt"
log "machine: $(head -n 2 "$OUT/machine.txt" | tail -n 1)"

ORFEAS=$BUILD_DIR/app/cli/orfeas
BENCH=$BUILD_DIR/app/bench/orfeas-bench

# --- a. build
if want build; then
  tests=OFF
  [ "${GPU_TESTS:-0}" = 1 ] && tests=ON
  configure=(cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DORFEAS_BUILD_GUI=OFF
             -DORFEAS_WITH_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90)
  if ! run_step build 60 "${configure[@]}" -DORFEAS_BUILD_TESTS=$tests; then
    if [ "$tests" = ON ]; then
      log "build: configure with tests failed (no Qt6 on this machine?): the gpu tests are skipped"
      tests=OFF
      run_step build 60 "${configure[@]}" -DORFEAS_BUILD_TESTS=OFF \
        || { log "build: configure failed:"; tail -n 30 "$OUT/build.log"; }
    else
      log "build: configure failed:"; tail -n 30 "$OUT/build.log"
    fi
  fi
  targets=(orfeas orfeas-bench)
  if [ "$tests" = ON ]; then
    # orfeas_add_test names each test after its executable
    mapfile -t gputests < <(ctest --test-dir "$BUILD_DIR" -N -L gpu | sed -n 's/^ *Test *#[0-9]*: *//p')
    targets+=("${gputests[@]}")
  fi
  run_step build 60 cmake --build "$BUILD_DIR" -j16 --target "${targets[@]}" \
    || { log "build: failed:"; grep -E 'error|FAILED' "$OUT/build.log" | head -n 20; }
fi
if [ ! -x "$BENCH" ]; then
  log "no $BENCH: nothing to benchmark"
fi

# --- b. models: a full-size random model, and the same with its geometry decoder fitted to an analytic shape
model=${BENCH_MODEL:-}
if [ -z "$model" ] && want models && [ -x "$ORFEAS" ]; then
  if "$ORFEAS" model init-random --help >/dev/null 2>&1; then
    if [ -f "$MODEL_DIR/v20/config.yaml" ] && ls "$MODEL_DIR"/v20/*.safetensors >/dev/null 2>&1; then
      log "models: $MODEL_DIR/v20 exists (kept)"
    else
      run_step models 60 "$ORFEAS" model init-random --config tests/data/hy3d-v2-0-config/config.yaml \
        --out "$MODEL_DIR/v20" --seed 1
    fi
  else
    log "models: 'orfeas model init-random' does not exist in this build: skipped"
  fi
  if "$ORFEAS" model fit-field --help >/dev/null 2>&1; then
    if [ -f "$MODEL_DIR/v20-fitted/config.yaml" ] && ls "$MODEL_DIR"/v20-fitted/*.safetensors >/dev/null 2>&1; then
      log "models: $MODEL_DIR/v20-fitted exists (kept)"
    elif [ -f "$MODEL_DIR/v20/config.yaml" ]; then
      run_step models 120 "$ORFEAS" model fit-field --model "$MODEL_DIR/v20" --out "$MODEL_DIR/v20-fitted" --device "${DEVICE:-cuda}"
    fi
  else
    log "models: 'orfeas model fit-field' does not exist in this build: skipped"
  fi
fi
if [ -z "$model" ]; then
  for m in "$MODEL_DIR/v20-fitted" "$MODEL_DIR/v20"; do
    if [ -f "$m/config.yaml" ] && ls "$m"/*.safetensors >/dev/null 2>&1; then model=$m; break; fi
  done
fi
if [ -z "$model" ]; then
  model=tests/data/hy3d-tiny
  log "models: no full-size model: benchmarking the tiny fixture model (checks the tool, not the targets)"
fi
[ "$model" = "$MODEL_DIR/v20" ] && log "models: no fitted model: random weights put a surface everywhere (hierarchical decoding is not representative)"
log "model: $model ($(du -sh "$model" 2>/dev/null | cut -f1))"
# Read the weights once so that every process finds them in the page cache (the cold start is defined that way).
cat "$model"/*.safetensors >/dev/null 2>&1

common=(--backend hunyuan3d --model "$model" --device "${DEVICE:-cuda}" --precision "${PRECISION:-fp16}")
# shellcheck disable=SC2206
extra=($BENCH_ARGS)
sample=resources/samples/vase.png

# --- c1. one image: default settings with dense and hierarchical decoding, and 5 steps (one process: one load)
if want single && [ -x "$BENCH" ]; then
  run_step single 45 "$BENCH" "$sample" "${common[@]}" "${extra[@]}" --json "$OUT/bench_single.json" \
    --case "default-dense: --decoder dense --images $SINGLE_IMAGES --warmup $SINGLE_WARMUP" \
    --case "default-hier: --decoder hierarchical --images $SINGLE_IMAGES --warmup $SINGLE_WARMUP" \
    --case "steps5-hier: --steps 5 --decoder hierarchical --images $SINGLE_IMAGES --warmup $SINGLE_WARMUP"
  tail -n 40 "$OUT/single.log" >>"$LOG" 2>/dev/null
fi

# --- d. the reference in the same run
if want ref; then
  if [ -d .reference/hy3dgen/shapegen ] && [ -n "$SHARED" ]; then
    run_step ref 90 env OUT="$OUT" HY3D_REF=.reference python3 "$SHARED/device/reference_bench.py" --quick
    [ -f "$OUT/ref_bench.json" ] || log "ref: no ref_bench.json"
  else
    log "ref: .reference/hy3dgen/shapegen (carry it) or shared/device/reference_bench.py missing: skipped"
  fi
fi

# --- c3. cold start: a fresh process to the first GLB (weights in the page cache), default settings
if want cold && [ -x "$BENCH" ]; then
  t0=$(date +%s.%N)
  run_step cold 30 "$BENCH" "$sample" "${common[@]}" "${extra[@]}" --images 1 --warmup 0 \
    --json "$OUT/bench_cold.json"
  python3 - "$OUT/bench_cold.json" "$t0" >>"$LOG" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
cs = j.get("cold_start") or {}
if cs.get("first_output_unix_time"):
    cs["launch_to_first_output_seconds"] = cs["first_output_unix_time"] - float(sys.argv[2])
    j["cold_start"] = cs
    json.dump(j, open(sys.argv[1], "w"), indent=2)
    print("cold start, measured from the shell's launch:", round(cs["launch_to_first_output_seconds"], 3), "s")
PY
fi

# --- c2. a batch at default settings: throughput, NVML utilisation, p95/median
if want batch && [ -x "$BENCH" ]; then
  run_step batch 40 "$BENCH" resources/samples "${common[@]}" "${extra[@]}" --images "$BATCH_IMAGES" --warmup 1 \
    --jobs "$BATCH_JOBS" --json "$OUT/bench_batch.json"
  tail -n 25 "$OUT/batch.log" >>"$LOG" 2>/dev/null
fi

# --- optional: GPU tests
if [ "${GPU_TESTS:-0}" = 1 ] && want gputest && [ -f "$BUILD_DIR/CTestTestfile.cmake" ]; then
  run_step gputest 30 ctest --test-dir "$BUILD_DIR" -L gpu --output-on-failure
fi

# --- e. summary (printed last: the device reply shows the tail)
RESERVE=0
python3 - "$OUT" >"$OUT/summary.txt" 2>&1 <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    try:
        return json.load(open(os.path.join(out, name)))
    except Exception:
        return None
def f(v, fmt="{:.3f}"):
    return "-" if v is None else fmt.format(v)
def g(d, *keys):
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None:
            return None
        d = d[k]
    return d
def stage(c, name, field="median"):
    for s in c.get("stages", []):
        if s["name"] == name:
            gpu = g(s, "gpu_seconds", field)
            return gpu if gpu is not None else g(s, "wall_seconds", field)
    return None
rows = []
machine = None
for fname in ["bench_single.json", "bench_cold.json", "bench_batch.json"]:
    j = load(fname)
    if not j:
        continue
    machine = machine or j.get("machine")
    for c in j.get("cases", []):
        rows.append((fname.replace("bench_", "").replace(".json", ""), c, j))
print("== orfeas-bench summary (%s)" % out)
if machine:
    gpus = ", ".join(d["name"] for d in g(machine, "gpu", "devices") or [])
    print("machine: %s; GPU %s; driver %s; CPU %s (%s threads); torch %s" % (
        machine.get("host"), gpus or "-", g(machine, "gpu", "driver_version"), g(machine, "cpu", "model"),
        g(machine, "cpu", "logical_cores"), g(machine, "torch", "version")))
hdr = "%-7s %-14s %4s %8s %7s %8s %8s %8s %8s %9s %8s %7s %7s %6s" % (
    "run", "case", "imgs", "s/img", "p95/med", "img/min", "diffus.", "TFLOP/s", "vol.dec", "points", "surface",
    "post", "peakMB", "GPU%")
print(hdr)
for run, c, j in rows:
    d = c.get("denoiser") or {}
    v = c.get("decoding") or {}
    util = None
    devs = g(c, "gpu_utilization", "devices") or []
    if devs:
        util = g(devs[0], "utilization_percent", "mean")
    post = sum(x for x in [stage(c, "mesh_postprocess"), stage(c, "texture_synthesis"), stage(c, "mesh_export")] if x)
    print("%-7s %-14s %4s %8s %7s %8s %8s %8s %8s %9s %8s %7s %7s %6s" % (
        run, c["name"], g(c, "images", "succeeded"), f(g(c, "batch", "per_image_seconds", "median")),
        f(g(c, "batch", "p95_over_median"), "{:.2f}"), f(g(c, "batch", "images_per_minute"), "{:.1f}"),
        f(stage(c, "shape_generation/diffusion_sampling")), f(d.get("achieved_tflops"), "{:.3g}"),
        f(stage(c, "shape_generation/volume_decoding")), f(g(v, "points_evaluated", "median"), "{:.3g}"),
        f(stage(c, "surface_extraction")), f(post), f(g(c, "peak_gpu_memory_mb", "max"), "{:.0f}"),
        f(util, "{:.0f}")))
    for w in c.get("warnings", [])[:2]:
        print("        warning: %s" % w[:150])
    if c.get("interrupted"):
        print("        interrupted: %s run(s) cancelled" % g(c, "images", "cancelled"))
    for fl in c.get("failures", [])[:3]:
        if fl.get("status") == "failed":
            print("        FAILED %s: %s" % (fl.get("input"), (fl.get("message") or "")[:150]))
print("(diffus., vol.dec: GPU-event seconds where the profiler has them, else wall; TFLOP/s: see each JSON's basis; "
      "post: post-processing + texture + export)")
cold = load("bench_cold.json")
if cold and cold.get("cold_start"):
    cs = cold["cold_start"]
    print("cold start: %s s process start -> first GLB (%s s from the shell's launch; model loading %s s)" % (
        f(cs.get("process_start_to_first_output_seconds")), f(cs.get("launch_to_first_output_seconds")),
        f(cs.get("model_loading_seconds"))))
ref = load("ref_bench.json")
if ref:
    keys = ["t_default_conditioner", "t_default_diffusion_50", "t_default_vae_transformer",
            "t_default_volume_decoding_vanilla_384", "t_default_marching_cubes_cpu"]
    parts = [ref.get(k) for k in keys]
    total = sum(p for p in parts if p)
    print("reference (%s, torch %s): conditioner %s, diffusion(50) %s, VAE %s, volume decoding %s, CPU MC %s -> %s s; peak %s GB" % (
        ref.get("gpu"), ref.get("torch"), *[f(p) for p in parts], f(total), ref.get("default_peak_mem_GB")))
    for run, c, j in rows:
        if c["name"].startswith("default"):
            ours = g(c, "batch", "per_image_seconds", "median")
            if ours:
                print("  %s/%s: %s s per image end to end (GLB written) = %.2fx faster than the reference's stages summed"
                      % (run, c["name"], f(ours), total / ours))
else:
    print("reference: not measured in this run")
print("targets (issue 5): default <= 3.0 s and >= 4x the reference; denoising <= 1.8 s (>= 500 TFLOP/s); "
      "hierarchical decoding <= 0.35 s; dense 385^3 <= 3.5 s; 5 steps <= 0.8 s; batch >= 25 img/min at >= 90% "
      "utilisation; cold start <= 6 s; p95/median <= 1.2; peak memory <= 8 GB")
PY
log "summary: $OUT/summary.txt"
cat "$OUT/summary.txt"
