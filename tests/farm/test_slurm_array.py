#!/usr/bin/env python3
"""Batch generation under a real Slurm cluster on localhost.

Starts munged/slurmctld/slurmd (packaging/farm/slurm-localhost.sh), makes a folder of test images from the bundled
samples, and drives packaging/farm/orfeas-array.sbatch exactly as docs/farm.md tells a user to:

  A. a complete 4-task array: every input has exactly one output, each input ran in exactly one task (the shard
     that the sorted input list gives it), and the merged report counts every image once;
  B. scancel of a running array (SIGTERM: orfeas cancels cleanly), then the same sbatch again: the rest is
     completed, finished images are not redone (inode, mtime, size and report unchanged; no second 'done'
     event), and no file under a final name is incomplete, neither after the cancel nor at the end;
  C. the same after a hard kill (SIGKILL of the running tasks' processes, as a node failure would do): any hidden
     temporaries it leaves are ignored by the rerun and by the merge, and are counted in the output.

Exit 77 (CTest SKIP_RETURN_CODE) when not root or Slurm/munge are not installed. Cleans up after itself: cancels
its jobs, stops the daemons it started, removes its work folder (ORFEAS_FARM_KEEP=1 keeps the folder).
"""

import argparse
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
SHARDS = 4
IMAGES = 32
# Small and fast, but not so fast that an array finishes before the test can cancel it midway.
GENERATE_OPTIONS = ["--backend", "inflate", "--resolution", "64", "--faces", "2000", "--texture-size", "64",
                    "--json"]
DEADLINE_S = 600  # whole test; stays below the CTest TIMEOUT so that cleanup always runs


class Failure(Exception):
    pass


def log(msg):
    print(f"[farm] {msg}", flush=True)


def check(cond, msg):
    if not cond:
        raise Failure(msg)


class Cluster:
    def __init__(self, source, work):
        self.script = os.path.join(source, "packaging", "farm", "slurm-localhost.sh")
        self.dir = os.path.join(work, "slurm")
        self.env = dict(os.environ, SLURM_CONF=os.path.join(self.dir, "slurm.conf"))
        self.jobs = []
        self.started = False

    def start(self):
        self.started = True
        out = subprocess.run(["bash", self.script, "start", self.dir], env=self.env, capture_output=True, text=True,
                             timeout=120)
        if out.returncode != 0:
            raise Failure(f"could not start the Slurm cluster: {out.stdout}{out.stderr}")
        log(out.stdout.strip())

    def stop(self):
        if not self.started:
            return
        if self.jobs:
            subprocess.run(["scancel"] + [str(j) for j in self.jobs], env=self.env, capture_output=True, timeout=30)
            for _ in range(100):
                if not self.queue():
                    break
                time.sleep(0.2)
        subprocess.run(["bash", self.script, "stop", self.dir], env=self.env, timeout=120)

    def run(self, args, cwd=None):
        out = subprocess.run(args, env=self.env, cwd=cwd, capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise Failure(f"{' '.join(args)} failed ({out.returncode}): {out.stderr.strip()}")
        return out.stdout

    def sbatch(self, args, cwd):
        jid = int(self.run(["sbatch", "--parsable"] + args, cwd=cwd).strip().split(";")[0])
        self.jobs.append(jid)
        return jid

    def queue(self, jid=None):
        args = ["squeue", "-h", "-o", "%A %i %T"] + (["-j", str(jid)] if jid else [])
        out = subprocess.run(args, env=self.env, capture_output=True, text=True, timeout=30)
        return [line.split() for line in out.stdout.splitlines() if line.strip()]

    def wait(self, jid, deadline, what):
        while self.queue(jid):
            if time.monotonic() > deadline:
                raise Failure(f"timed out waiting for {what} (job {jid}): {self.queue(jid)}")
            time.sleep(0.2)

    def task_states(self, jid):
        """{array task id: (state, exit code)} from scontrol (kept for MinJobAge after the end)."""
        out = self.run(["scontrol", "-o", "show", "job", str(jid)])
        states = {}
        for line in out.splitlines():
            fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
            task = fields.get("ArrayTaskId", "")
            if task.isdigit():
                states[int(task)] = (fields.get("JobState"), fields.get("ExitCode"))
        return states


def make_images(source, folder):
    """IMAGES files from the three bundled samples, under distinct names and two formats."""
    os.makedirs(folder)
    samples = ["vase.png", "mushroom.png", "duck.jpg"]
    for i in range(IMAGES):
        name = samples[i % len(samples)]
        ext = os.path.splitext(name)[1]
        shutil.copyfile(os.path.join(source, "resources", "samples", name), os.path.join(folder, f"concept_{i:02d}{ext}"))
    return sorted(os.path.join(folder, f) for f in os.listdir(folder))


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def read_events(log_files):
    """All JSON-lines events of the given task logs, each tagged with its file."""
    events = []
    for f in log_files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line.startswith("{"):
                    e = json.loads(line)
                    e["_log"] = os.path.basename(f)
                    events.append(e)
    return events


def task_logs(logdir, jid):
    return sorted(os.path.join(logdir, f) for f in os.listdir(logdir) if f.startswith(f"task-{jid}_"))


def glb_complete(path):
    """A GLB is complete when its header says glTF v2 and its declared length is the file's size."""
    with open(path, "rb") as f:
        header = f.read(12)
    if len(header) != 12:
        return False
    magic, version, length = struct.unpack("<4sII", header)
    return magic == b"glTF" and version == 2 and length == os.path.getsize(path)


def scan_outputs(outdir, inputs):
    """Checks every file under a final name. Returns ({stem: identity} of finished inputs (model and report),
    [stems with a model but no report], [hidden temporaries], [stems with a writing marker])."""
    finished, orphans, temporaries, markers = {}, [], [], []
    known = {stem(p) for p in inputs}
    for name in sorted(os.listdir(outdir)):
        path = os.path.join(outdir, name)
        if name.startswith(".") and name.endswith(".orfeas-writing"):
            # A run's "moving files into place" marker (pipeline.h): left only by a run killed in that window.
            check(name[1 : -len(".orfeas-writing")] in known, f"marker for an unknown input: {name}")
            markers.append(name[1 : -len(".orfeas-writing")])
            continue
        if name.startswith("."):
            check(".orfeas-tmp-" in name, f"unexpected hidden file {name}")
            temporaries.append(name)
            continue
        if os.path.isdir(path):
            continue
        if name.endswith(".glb"):
            check(stem(name) in known, f"output for an unknown input: {name}")
            check(glb_complete(path), f"incomplete or invalid GLB under a final name: {name}")
        elif name.endswith(".report.json"):
            with open(path, encoding="utf-8") as fh:
                report = json.load(fh)  # raises on a truncated file
            check(report.get("status") == "done", f"{name}: status {report.get('status')}")
            check(name[: -len(".report.json")] in known, f"report for an unknown input: {name}")
        elif name.startswith(("performance_report", "gpu_report")) and name.endswith(".json"):
            with open(path, encoding="utf-8") as fh:
                json.load(fh)
        else:
            raise Failure(f"unexpected file in the output folder: {name}")
    for p in inputs:
        glb = os.path.join(outdir, stem(p) + ".glb")
        rep = os.path.join(outdir, stem(p) + ".report.json")
        check(os.path.exists(glb) or not os.path.exists(rep), f"report without model for {stem(p)}")
        if not os.path.exists(glb):
            continue
        if not os.path.exists(rep):
            orphans.append(stem(p))  # killed between the model's rename and the report's
            continue
        st = os.stat(glb)
        with open(rep, encoding="utf-8") as fh:
            report = json.load(fh)
        check(report["input"] == p, f"{rep} names input {report['input']}, expected {p}")
        finished[stem(p)] = (st.st_ino, st.st_mtime_ns, st.st_size, os.stat(rep).st_ino, report["started_at"])
    return finished, orphans, temporaries, markers


def expected_shards(inputs):
    """The shard of each input: its index in the sorted list modulo the shard count (batch.h)."""
    return {p: i % SHARDS for i, p in enumerate(sorted(inputs))}


def done_counts(events):
    counts = {}
    for e in events:
        if e.get("event") == "done":
            counts[e["input"]] = counts.get(e["input"], 0) + 1
    return counts


def submit_array(cluster, work, sbatch_script, inputs_dir, outdir, logdir):
    # The command of docs/farm.md, with the task logs in our folder.
    return cluster.sbatch(["--array=0-%d" % (SHARDS - 1), f"--output={logdir}/task-%A_%a.log", sbatch_script,
                           inputs_dir, "-o", outdir] + GENERATE_OPTIONS, cwd=work)


def merge(cluster, work, after, outdir, logdir, deadline):
    """The merge step of docs/farm.md: a job that starts when the array has ended, however it ended."""
    merged = os.path.join(outdir, "merged")
    orfeas = cluster.env["ORFEAS_BIN"]
    jid = cluster.sbatch([f"--dependency=afterany:{after}", f"--output={logdir}/merge-%j.log",
                          f"--wrap={orfeas} report merge {outdir} -o {merged} --json"], cwd=work)
    cluster.wait(jid, deadline, "the merge job")
    states = cluster.run(["scontrol", "-o", "show", "job", str(jid)])
    check("JobState=COMPLETED" in states, f"merge job did not complete: {states}")
    with open(os.path.join(logdir, f"merge-{jid}.log"), encoding="utf-8") as fh:
        line = [l for l in fh.read().splitlines() if l.startswith("{")][-1]
    with open(os.path.join(merged, "performance_report.json"), encoding="utf-8") as fh:
        perf = json.load(fh)
    return json.loads(line), perf


def check_merged(summary, perf, inputs):
    check(summary["runs"] == len(inputs), f"merge read {summary['runs']} run reports, expected {len(inputs)}")
    check(summary["duplicates"] == [], f"inputs reported by more than one task: {summary['duplicates']}")
    batch = perf["batch"]
    check(batch["runs"] == len(inputs) and batch["succeeded"] == len(inputs),
          f"merged performance report counts runs={batch['runs']} succeeded={batch['succeeded']}, "
          f"expected {len(inputs)}")
    check(sorted(r["input"] for r in perf["runs"]) == sorted(inputs), "merged runs[] does not list every input once")


def wait_for_outputs(outdir, at_least, deadline):
    while True:
        n = len([f for f in os.listdir(outdir) if f.endswith(".glb")]) if os.path.isdir(outdir) else 0
        if n >= at_least:
            return n
        if time.monotonic() > deadline:
            raise Failure(f"timed out waiting for {at_least} outputs in {outdir} (have {n})")
        time.sleep(0.02)


def check_dry_run(sbatch_script, orfeas):
    """The array script's shard and GPU arguments, without Slurm (ORFEAS_DRY_RUN prints the command)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "CUDA_", "ORFEAS_"))}

    def args(**env):
        out = subprocess.run(["bash", sbatch_script, "in", "-o", "out"], env=dict(base, ORFEAS_BIN=orfeas,
                             ORFEAS_DRY_RUN="1", **env), capture_output=True, text=True, timeout=30)
        check(out.returncode == 0, f"dry run failed: {out.stderr}")
        return out.stdout.split("\n")[:-1]

    check(args(SLURM_ARRAY_TASK_ID="2") == [orfeas, "generate", "--shard", "auto", "in", "-o", "out"],
          f"array task: {args(SLURM_ARRAY_TASK_ID='2')}")
    check(args(SLURM_ARRAY_TASK_ID="3", ORFEAS_SHARD_COUNT="4")[2:4] == ["--shard", "3/4"], "partial resubmission")
    got = args(SLURM_ARRAY_TASK_ID="0", CUDA_VISIBLE_DEVICES="4,6")
    check(got[4:6] == ["--gpus", "0,1"], f"two visible GPUs: {got}")
    got = args(SLURM_ARRAY_TASK_ID="0", CUDA_VISIBLE_DEVICES="5")
    check("--gpus" not in got, f"one visible GPU needs no --gpus: {got}")
    got = args(SLURM_ARRAY_TASK_ID="0", CUDA_VISIBLE_DEVICES="0,1", ORFEAS_GPUS="1")
    check(got[4:6] == ["--gpus", "1"], f"ORFEAS_GPUS wins: {got}")
    check(args() == [orfeas, "generate", "in", "-o", "out"], "outside an array: no shard")
    log("array script: shard and GPU arguments as documented (dry runs)")


def phase_complete(cluster, work, script, inputs_dir, inputs, deadline):
    outdir, logdir = os.path.join(work, "out-a"), os.path.join(work, "logs-a")
    os.makedirs(logdir)
    t0 = time.monotonic()
    jid = submit_array(cluster, work, script, inputs_dir, outdir, logdir)
    summary, perf = merge(cluster, work, jid, outdir, logdir, deadline)
    log(f"A: {SHARDS}-task array of {len(inputs)} images done and merged in {time.monotonic() - t0:.1f} s")
    states = cluster.task_states(jid)
    check(sorted(states) == list(range(SHARDS)) and all(s == ("COMPLETED", "0:0") for s in states.values()),
          f"array task states: {states}")
    finished, orphans, temporaries, markers = scan_outputs(outdir, inputs)
    check(sorted(finished) == sorted(stem(p) for p in inputs), f"missing outputs: "
          f"{sorted(set(stem(p) for p in inputs) - set(finished))}")
    check(orphans == [] and temporaries == [] and markers == [], f"a clean run left {orphans} {temporaries} {markers}")
    events = read_events(task_logs(logdir, jid))
    counts = done_counts(events)
    check(all(counts.get(p) == 1 for p in inputs) and len(counts) == len(inputs),
          f"'done' events per input (each must be 1): {counts}")
    # Each input ran in the task its shard names, and the tasks' shards are 0..n-1.
    shard_of_log = {}
    for e in events:
        if e["event"] == "batch_started":
            shard_of_log[e["_log"]] = int(e["shard"].split("/")[0])
            check(e["shard"].endswith(f"/{SHARDS} (slurm)"), f"shard not from Slurm: {e['shard']}")
    check(sorted(shard_of_log.values()) == list(range(SHARDS)), f"shards of the tasks: {shard_of_log}")
    want = expected_shards(inputs)
    for e in events:
        if e["event"] == "done":
            check(shard_of_log[e["_log"]] == want[e["input"]], f"{e['input']} ran in the wrong shard")
    check_merged(summary, perf, inputs)
    log(f"A: {len(inputs)} inputs, {len(inputs)} outputs, one 'done' each, shards as planned, merge counts "
        f"{summary['runs']}")

    # A run killed while moving its files into place (models renamed, report not yet) leaves its hidden marker
    # ".<stem>.orfeas-writing" (pipeline.h, OutputState::Interrupted): the same array generates that input again;
    # every other input is skipped and left as it was. (Models without report and without marker are not ours to
    # replace: the CLI refuses them without --overwrite.)
    orphan = inputs[5]
    os.remove(os.path.join(outdir, stem(orphan) + ".report.json"))
    with open(os.path.join(outdir, "." + stem(orphan) + ".orfeas-writing"), "w") as marker:
        marker.write("orfeas run in progress (simulated kill)\n")
    again = submit_array(cluster, work, script, inputs_dir, outdir, logdir)
    summary, perf = merge(cluster, work, again, outdir, logdir, deadline)
    events = read_events(task_logs(logdir, again))
    check(done_counts(events) == {orphan: 1}, f"resubmission ran {done_counts(events)}, expected only {orphan}")
    check(len([e for e in events if e["event"] == "skipped"]) == len(inputs) - 1, "resubmission did not skip the rest")
    after, orphans, temporaries, markers = scan_outputs(outdir, inputs)
    check(orphans == [] and temporaries == [] and markers == [] and sorted(after) == sorted(finished),
          "outputs after the resubmission")
    for s, before in finished.items():
        check(s == stem(orphan) or after[s] == before, f"{s} was redone")
    check_merged(summary, perf, inputs)
    check(not os.path.exists(os.path.join(outdir, "." + stem(orphan) + ".orfeas-writing")), "marker left behind")
    log(f"A: an interrupted input is generated again by the same array, the other {len(inputs) - 1} skipped")


def phase_restart(cluster, work, script, inputs_dir, inputs, deadline, hard_kill):
    tag = "c" if hard_kill else "b"
    name = "C (SIGKILL)" if hard_kill else "B (scancel)"
    outdir, logdir = os.path.join(work, f"out-{tag}"), os.path.join(work, f"logs-{tag}")
    os.makedirs(logdir)
    t0 = time.monotonic()
    first = submit_array(cluster, work, script, inputs_dir, outdir, logdir)
    wait_for_outputs(outdir, 2, deadline)
    if hard_kill:
        host = cluster.run(["hostname", "-s"]).strip()
        pids = []
        for job, task, state in cluster.queue(first):
            if state == "RUNNING":
                out = cluster.run(["scontrol", "listpids", job, host])
                pids += [int(l.split()[0]) for l in out.splitlines()[1:] if l.split() and l.split()[0].isdigit()]
        check(pids, "no running task processes to kill")
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        log(f"{name}: killed task processes {pids}")
    else:
        cluster.run(["scancel", str(first)])
    cluster.wait(first, deadline, "the interrupted array to leave the queue")
    finished, orphans, temporaries, markers = scan_outputs(outdir, inputs)
    log(f"{name}: {len(finished)} of {len(inputs)} images finished when the array was stopped, {len(orphans)} "
        f"models without report, {len(temporaries)} hidden temporaries, {len(markers)} writing markers")
    # A task killed after renaming its report into place but before removing its marker and reporting 'done':
    # complete outputs with a stale marker, which the resubmission skips (and removes the marker).
    stale = {m for m in markers if m in finished}
    states = cluster.task_states(first)
    if hard_kill:
        # The killed tasks fail; the pending ones then run to the end, so some shards are complete.
        killed = [t for t, (s, _) in states.items() if s == "FAILED"]
        check(killed, f"no task failed after the kill: {states}")
    else:
        check(0 < len(finished) < len(inputs), f"the cancel did not land midway: {len(finished)} finished")
        check(all(s[0] == "CANCELLED" for s in states.values()), f"states after scancel: {states}")
        # SIGTERM reached orfeas, which cancelled its running jobs and exited 130.
        check(any(s == ("CANCELLED", "130:0") for s in states.values()), f"no task exited 130: {states}")
        check(temporaries == [] and orphans == [] and markers == [], f"a clean cancel left {temporaries} {orphans} {markers}")
        interrupted = [e for e in read_events(task_logs(logdir, first)) if e["event"] == "batch_finished"]
        check(interrupted and all(e["interrupted"] for e in interrupted), "a task did not report the interruption")
    check(len(finished) < len(inputs), "nothing left to resume")

    second = submit_array(cluster, work, script, inputs_dir, outdir, logdir)
    summary, perf = merge(cluster, work, second, outdir, logdir, deadline)
    states = cluster.task_states(second)
    check(all(s == ("COMPLETED", "0:0") for s in states.values()), f"resubmitted task states: {states}")
    final, final_orphans, final_temporaries, final_markers = scan_outputs(outdir, inputs)
    check(final_orphans == [], f"models still without report: {final_orphans}")
    check(final_markers == [], f"writing markers left after the resubmission: {final_markers}")
    check(sorted(final) == sorted(stem(p) for p in inputs),
          f"missing after the resubmission: {sorted(set(stem(p) for p in inputs) - set(final))}")
    for s, before in finished.items():
        check(final[s] == before, f"{s} was redone: {before} -> {final[s]}")
    check(sorted(final_temporaries) == sorted(temporaries),
          f"temporaries changed: {temporaries} -> {final_temporaries}")
    first_events = read_events(task_logs(logdir, first))
    second_events = read_events(task_logs(logdir, second))
    done_first = set(done_counts(first_events))
    finished_inputs = {p for p in inputs if stem(p) in finished}
    # Finished when the array stopped, but without a 'done' line from the first submission. After a clean cancel
    # only a stale marker explains that. A SIGKILL can also land after a run has put its files in place and removed
    # its marker but before the CLI has written the 'done' line (the result reaches the CLI's output after the
    # pipeline returns): the files are complete, and the resubmission must skip them like any finished input.
    unreported = finished_inputs - done_first
    if not hard_kill:
        check({stem(p) for p in unreported} <= stale, f"finished without a 'done' event or a stale marker: {unreported}")
    check(done_first <= finished_inputs, "the first submission reported 'done' for an input that is not finished")
    counts = done_counts(first_events + second_events)
    check(all(counts.get(p) == 1 or (p in unreported and counts.get(p, 0) == 0) for p in inputs),
          f"'done' events per input over both submissions: {counts} (stale markers: {sorted(stale)})")
    skipped = {e["input"] for e in second_events if e["event"] == "skipped"}
    check(skipped == finished_inputs, f"the resubmission skipped {len(skipped)} inputs, {len(finished_inputs)} were finished")
    check_merged(summary, perf, inputs)
    log(f"{name}: resubmission finished the other {len(inputs) - len(finished)}, skipped {len(skipped)}, finished "
        f"files untouched, merge counts {summary['runs']}; {len(unreported)} finished without a first 'done' line; "
        f"in {time.monotonic() - t0:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orfeas", required=True)
    parser.add_argument("--source", required=True)
    a = parser.parse_args()

    # The daemons live in /usr/sbin, which a CI environment's PATH may lack.
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join(path + [d for d in ("/usr/sbin", "/sbin") if d not in path])
    if os.geteuid() != 0:
        log("SKIP: needs root to start munged, slurmctld and slurmd")
        return SKIP
    missing = [t for t in ("munged", "munge", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "scontrol")
               if shutil.which(t) is None]
    if missing:
        log(f"SKIP: not installed: {' '.join(missing)} (apt-get install slurm-wlm munge)")
        return SKIP

    orfeas = os.path.abspath(a.orfeas)
    source = os.path.abspath(a.source)
    script = os.path.join(source, "packaging", "farm", "orfeas-array.sbatch")
    check_dry_run(script, orfeas)

    # Short path: slurmd puts sockets under its spool folder (108-byte limit on socket paths).
    work = tempfile.mkdtemp(prefix="orfeas-farm-", dir="/tmp")
    cluster = Cluster(source, work)
    cluster.env["ORFEAS_BIN"] = orfeas
    t0 = time.monotonic()
    deadline = t0 + DEADLINE_S
    status = 1

    def on_signal(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    try:
        cluster.start()
        inputs_dir = os.path.join(work, "concepts")
        inputs = make_images(source, inputs_dir)
        phase_complete(cluster, work, script, inputs_dir, inputs, deadline)
        phase_restart(cluster, work, script, inputs_dir, inputs, deadline, hard_kill=False)
        phase_restart(cluster, work, script, inputs_dir, inputs, deadline, hard_kill=True)
        status = 0
        log(f"PASS in {time.monotonic() - t0:.1f} s")
    except Failure as e:
        log(f"FAIL: {e}")
        for root, _dirs, files in os.walk(work):
            for f in files:
                if f.endswith(".log") and ("log" in root or f.startswith(("task-", "merge-"))):
                    p = os.path.join(root, f)
                    with open(p, encoding="utf-8", errors="replace") as fh:
                        tail = fh.read()[-3000:]
                    print(f"----- {p} (tail)\n{tail}", flush=True)
    finally:
        cluster.stop()
        if os.environ.get("ORFEAS_FARM_KEEP") == "1":
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
