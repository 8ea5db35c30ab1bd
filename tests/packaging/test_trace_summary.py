#!/usr/bin/env python3
"""packaging/scripts/trace-summary.py on a small trace with known answers (the shape of LibTorch's Chrome traces:
complete events of the categories user_annotation, cpu_op, cuda_runtime and kernel, linked by correlation ids)."""
import json
import os
import re
import subprocess
import sys
import tempfile


def event(cat, name, ts, dur, tid, correlation=None):
    e = {"ph": "X", "cat": cat, "name": name, "ts": ts, "dur": dur, "pid": 1, "tid": tid}
    if correlation is not None:
        e["args"] = {"correlation": correlation}
    return e


def trace():
    ev = []
    # One stage on thread 1 (0-1000 us): three launches; between the 2nd and 3rd kernel the GPU waits 400 us while
    # the thread builds something in "aten::slow_setup".
    ev.append(event("user_annotation", "stage/a", 0, 1000, 1))
    ev.append(event("cpu_op", "aten::linear", 10, 30, 1))
    ev.append(event("cuda_runtime", "cudaLaunchKernel", 20, 5, 1, 1))
    ev.append(event("kernel", "gemm", 30, 100, 7, 1))
    ev.append(event("cuda_runtime", "cudaLaunchKernel", 50, 5, 1, 2))
    ev.append(event("kernel", "softmax", 130, 50, 7, 2))
    ev.append(event("cpu_op", "aten::slow_setup", 60, 500, 1))
    ev.append(event("cpu_op", "aten::inner", 70, 20, 1))  # nested: not an outermost operator
    ev.append(event("cuda_runtime", "cudaLaunchKernel", 570, 5, 1, 3))
    ev.append(event("kernel", "gemm", 580, 100, 7, 3))
    # Two instances of a repeated range on thread 1 with one kernel each, and work of another thread that must not
    # count for either.
    for i, start in enumerate((2000, 3000)):
        ev.append(event("user_annotation", "step", start, 200, 1))
        ev.append(event("cuda_runtime", "cudaLaunchKernel", start + 10, 5, 1, 10 + i))
        ev.append(event("kernel", "attention", start + 20, 150 + 50 * i, 7, 10 + i))
    ev.append(event("cuda_runtime", "cudaLaunchKernel", 2050, 5, 2, 99))
    ev.append(event("kernel", "other_thread", 2060, 30, 8, 99))
    return {"traceEvents": ev}


def main():
    script = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "t.json")
        with open(path, "w") as f:
            json.dump(trace(), f)
        out = subprocess.run([sys.executable, script, path, "--gap-us", "20"], capture_output=True, text=True,
                             check=True).stdout
    print(out)
    failures = []

    def expect(pattern, what):
        if not re.search(pattern, out, re.M):
            failures.append(f"{what}: /{pattern}/ not found")

    # stage/a: CPU 1 ms; kernels 100 + 50 + 100 us, busy 250 us; span 30..680 = 650 us; one gap 180..580 (400 us)
    # in which aten::slow_setup ran from 180 to 560 (380 us).
    expect(r"^-- stage/a: CPU 1\.00 ms; GPU: 3 activities, sum 0\.25 ms, busy 0\.25 ms, span 0\.65 ms", "stage/a totals")
    expect(r"idle gaps inside the span 0\.40 ms in 1$", "stage/a gap total")
    expect(r"gap 0\.40 ms: aten::slow_setup 0\.38", "the gap is the slow operator's")
    if re.search(r"gap 0\.40 ms:.*aten::inner", out):
        failures.append("a nested operator was counted as the thread's work")
    expect(r"kernel\s+0\.20 ms\s+x2\s+gemm", "kernels by total time")
    # step: two instances, busy 150 and 200 us; the other thread's kernel is not theirs.
    expect(r"^== step: 2 instances, CPU 0\.4 ms in all .*GPU busy 0\.3 ms in all \(first 0\.15, median 0\.17 ms\)",
           "repeated range summary")
    if "other_thread" in out:
        failures.append("a kernel launched by another thread was attributed to a range")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
