#!/usr/bin/env python3
"""Where the time of one traced run goes: a summary of a Chrome trace written with ORFEAS_TORCH_TRACE.

    python3 packaging/scripts/trace-summary.py TRACE.json [--gap-us 20] [--top 8]

For each range the engine marks (the shape-generation sub-stages, each diffusion step, each level of hierarchical
decoding; repeated ranges are summarised over their instances) it prints the CPU time of the range, the GPU time of
the work launched inside it (sum of kernels, copies and fills, and their union: "busy"), the GPU span from the first
to the last of them, the largest idle gaps of the GPU inside that span with what the launching thread was doing
(the outermost CPU operators and the runtime calls that overlapped the gap), the runtime calls by total time, and
the kernels by total time. Standard library only.
"""
import argparse
import bisect
import collections
import json
import statistics
import sys

GPU_CATS = ("kernel", "gpu_memcpy", "gpu_memset")
RUNTIME_CATS = ("cuda_runtime", "cuda_driver")


def union_length(intervals):
    total, end = 0.0, None
    start = None
    for s, e in sorted(intervals):
        if end is None or s > end:
            if end is not None:
                total += end - start
            start, end = s, e
        else:
            end = max(end, e)
    if end is not None:
        total += end - start
    return total


def gaps_of(intervals, min_gap):
    out, end = [], None
    for s, e in sorted(intervals):
        if end is not None and s - end >= min_gap:
            out.append((end, s))
        end = e if end is None else max(end, e)
    return out


def short(name, n=90):
    return name if len(name) <= n else name[: n - 3] + "..."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("trace")
    ap.add_argument("--gap-us", type=float, default=20.0)
    ap.add_argument("--top", type=int, default=8)
    a = ap.parse_args()
    events = json.load(open(a.trace))
    events = events.get("traceEvents", events) if isinstance(events, dict) else events
    xs = [e for e in events if e.get("ph") == "X" and "dur" in e]
    for e in xs:
        e["ts"] = float(e["ts"])
        e["dur"] = float(e["dur"])
        e["end"] = e["ts"] + e["dur"]
    gpu = [e for e in xs if e.get("cat") in GPU_CATS]
    runtime = [e for e in xs if e.get("cat") in RUNTIME_CATS]
    ops = [e for e in xs if e.get("cat") == "cpu_op"]
    ranges = [e for e in xs if e.get("cat") == "user_annotation"]
    launch = {}
    for r in runtime:
        c = r.get("args", {}).get("correlation")
        if c is not None:
            launch[c] = r
    for g in gpu:
        r = launch.get(g.get("args", {}).get("correlation"))
        g["launch_ts"] = r["ts"] if r else None
        g["launch_tid"] = r.get("tid") if r else None
    # Outermost CPU operators per thread (an operator inside another one is part of it).
    outer = {}
    for tid, group in _by_thread(ops).items():
        end, kept = -1.0, []
        for o in sorted(group, key=lambda o: (o["ts"], -o["dur"])):
            if o["ts"] >= end:
                kept.append(o)
                end = o["end"]
        outer[tid] = ThreadIndex(kept)
    runtime_by_tid = {tid: ThreadIndex(group) for tid, group in _by_thread(runtime).items()}
    gpu_by_launch = {}
    for tid, group in _by_thread([g for g in gpu if g["launch_ts"] is not None], key="launch_tid").items():
        group.sort(key=lambda g: g["launch_ts"])
        gpu_by_launch[tid] = ([g["launch_ts"] for g in group], group)

    if not xs:
        print("no complete events in", a.trace)
        return 1
    t0 = min(e["ts"] for e in xs)
    t1 = max(e["end"] for e in xs)
    print(f"trace {a.trace}: {(t1 - t0) / 1e3:.1f} ms, {len(gpu)} GPU activities "
          f"({union_length([(g['ts'], g['end']) for g in gpu]) / 1e3:.1f} ms busy), {len(ops)} operators, "
          f"{len(runtime)} runtime calls, {len(ranges)} ranges")

    by_name = collections.OrderedDict()
    for r in sorted(ranges, key=lambda r: r["ts"]):
        by_name.setdefault(r["name"], []).append(r)
    for name, instances in by_name.items():
        stats = [range_stats(r, gpu_by_launch, runtime_by_tid, outer, a.gap_us) for r in instances]
        if len(instances) > 1:
            cpu = [s["cpu"] for s in stats]
            busy = [s["busy"] for s in stats]
            print(f"\n== {name}: {len(instances)} instances, CPU {sum(cpu) / 1e3:.1f} ms in all "
                  f"(first {cpu[0] / 1e3:.2f}, median {statistics.median(cpu) / 1e3:.2f}, last {cpu[-1] / 1e3:.2f} ms), "
                  f"GPU busy {sum(busy) / 1e3:.1f} ms in all (first {busy[0] / 1e3:.2f}, median "
                  f"{statistics.median(busy) / 1e3:.2f} ms)")
        show = instances if len(instances) <= 4 else [instances[0], instances[len(instances) // 2]]
        for r, s in zip(instances, stats):
            if r not in show:
                continue
            label = name if len(instances) == 1 else f"{name} #{instances.index(r) + 1}"
            print_stats(label, s, a.top)
    return 0


def _by_thread(events, key="tid"):
    out = collections.defaultdict(list)
    for e in events:
        out[e.get(key)].append(e)
    return out


class ThreadIndex:
    """Events of one thread sorted by start, with their (non-decreasing) ends, for interval queries."""

    def __init__(self, events):
        self.events = sorted(events, key=lambda e: e["ts"])
        self.starts = [e["ts"] for e in self.events]
        ends, m = [], float("-inf")
        for e in self.events:
            m = max(m, e["end"])
            ends.append(m)
        self.ends = ends

    def starting_in(self, s, e):
        return self.events[bisect.bisect_left(self.starts, s): bisect.bisect_right(self.starts, e)]

    def overlapping(self, s, e):
        i = bisect.bisect_right(self.ends, s)
        while i < len(self.events) and self.events[i]["ts"] < e:
            ev = self.events[i]
            if ev["end"] > s:
                yield ev
            i += 1


def range_stats(r, gpu_by_launch, runtime_by_tid, outer_by_tid, gap_us):
    s, e, tid = r["ts"], r["end"], r.get("tid")
    launches = gpu_by_launch.get(tid)
    mine = []
    if launches:
        lo = bisect.bisect_left(launches[0], s)
        hi = bisect.bisect_right(launches[0], e)
        mine = launches[1][lo:hi]
    iv = [(g["ts"], g["end"]) for g in mine]
    st = {"cpu": e - s, "count": len(mine), "sum": sum(g["dur"] for g in mine), "busy": union_length(iv)}
    st["span"] = (max(x[1] for x in iv) - min(x[0] for x in iv)) if iv else 0.0
    st["gpu_after_cpu"] = (max(x[1] for x in iv) - e) if iv else 0.0
    kernels = collections.Counter()
    kcount = collections.Counter()
    for g in mine:
        kernels[g["name"]] += g["dur"]
        kcount[g["name"]] += 1
    st["kernels"] = [(n, t, kcount[n]) for n, t in kernels.most_common()]
    calls_index = runtime_by_tid.get(tid)
    calls = collections.Counter()
    ccount = collections.Counter()
    if calls_index:
        for c in calls_index.starting_in(s, e):
            calls[c["name"]] += c["dur"]
            ccount[c["name"]] += 1
    st["calls"] = [(n, t, ccount[n]) for n, t in calls.most_common()]
    gaps = []
    ops_index = outer_by_tid.get(tid)
    for g0, g1 in gaps_of(iv, gap_us):
        busy_ops = collections.Counter()
        if ops_index:
            for o in ops_index.overlapping(g0, g1):
                busy_ops[o["name"]] += min(o["end"], g1) - max(o["ts"], g0)
        busy_calls = collections.Counter()
        if calls_index:
            for c in calls_index.overlapping(g0, g1):
                busy_calls[c["name"]] += min(c["end"], g1) - max(c["ts"], g0)
        gaps.append((g1 - g0, g0, busy_ops.most_common(3), busy_calls.most_common(2)))
    st["gap_total"] = sum(g[0] for g in gaps)
    st["gaps"] = sorted(gaps, reverse=True)
    return st


def print_stats(label, st, top):
    ms = lambda us: f"{us / 1e3:.2f}"
    print(f"\n-- {label}: CPU {ms(st['cpu'])} ms; GPU: {st['count']} activities, sum {ms(st['sum'])} ms, busy "
          f"{ms(st['busy'])} ms, span {ms(st['span'])} ms (ends {ms(st['gpu_after_cpu'])} ms after the range); "
          f"idle gaps inside the span {ms(st['gap_total'])} ms in {len(st['gaps'])}")
    for d, at, o, c in st["gaps"][:5]:
        what = ", ".join(f"{short(n, 40)} {x / 1e3:.2f}" for n, x in o) or "no operator"
        calls = ", ".join(f"{n} {x / 1e3:.2f}" for n, x in c)
        print(f"     gap {d / 1e3:.2f} ms: {what}{' | ' + calls if calls else ''}")
    for n, t, c in st["calls"][:5]:
        print(f"     call {short(n, 40):40s} {t / 1e3:8.2f} ms  x{c}")
    for n, t, c in st["kernels"][:top]:
        print(f"     kernel {t / 1e3:8.2f} ms  x{c:<5d} {short(n)}")


if __name__ == "__main__":
    sys.exit(main())
