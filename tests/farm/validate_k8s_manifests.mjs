#!/usr/bin/env node
// Validates the Kubernetes manifests of packaging/farm without a cluster:
//  1. YAML 1.2 parsing (duplicate keys are errors);
//  2. the Kubernetes API schema of each object (batch/v1 Job, v1 PersistentVolumeClaim), from the OpenAPI schemas that
//     the npm package kubernetes-models ships: types, enums, required fields, and unknown fields (what
//     `kubectl apply --validate=strict` rejects): the schema's validator is run on proxies that record which
//     properties it looks up, so a property it never reads is not in the schema;
//  3. the rules the API server enforces beyond the schema that matter here (Indexed mode, podFailurePolicy needs
//     restartPolicy Never, FailIndex needs backoffLimitPerIndex, parallelism, volumes and claims resolve);
//  4. what ORFEAS needs: `--shard auto`, ORFEAS_SHARD_COUNT equal to spec.completions, inputs and outputs on the shared
//     ReadWriteMany volume, the merge job reading the folder the batch writes, and every orfeas option known to the
//     CLI (`orfeas generate --help`, when --orfeas is given).
// Then it mutates the manifests in memory and checks that each mutation is rejected, so that the checks can fail.
//
//   node validate_k8s_manifests.mjs [--tools DIR] [--orfeas BIN] FILE.yaml...
// Exit 0 valid, 1 invalid, 77 when the npm packages are not installed (npm ci --prefix tests/tools).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
let toolsDir = path.resolve(here, "..", "tools");
let orfeasBin = null;
const files = [];
for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === "--tools") toolsDir = path.resolve(argv[++i]);
    else if (argv[i] === "--orfeas") orfeasBin = argv[++i];
    else files.push(argv[i]);
}
if (files.length === 0) {
    console.error("usage: validate_k8s_manifests.mjs [--tools DIR] [--orfeas BIN] FILE.yaml...");
    process.exit(2);
}

// The packages live in tests/tools/node_modules (one npm folder for the test suite's tools).
const requireTools = createRequire(path.join(toolsDir, "package.json"));
let YAML, schemasDir;
try {
    YAML = requireTools("yaml");
    schemasDir = path.join(path.dirname(requireTools.resolve("kubernetes-models/batch/v1/Job")), "..", "..", "_schemas");
} catch (e) {
    console.log(`SKIP: npm packages missing in ${toolsDir} (run: npm ci --prefix tests/tools): ${e.message}`);
    process.exit(77);
}

// --- 2. schema validation with unknown-field detection ----------------------------------------------------------

function schemaName(apiVersion, kind) {
    const [group, version] = String(apiVersion).includes("/") ? String(apiVersion).split("/") : ["core", apiVersion];
    const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
    const groupPart = group.split(".")[0]; // batch, apps, core (the groups used here have no dots)
    return `IoK8sApi${cap(groupPart)}${cap(String(version))}${kind}`;
}

function loadValidator(apiVersion, kind) {
    const file = path.join(schemasDir, schemaName(apiVersion, kind) + ".js");
    if (!fs.existsSync(file)) return null;
    return requireTools(file).validate;
}

// Wraps `root` so that every object records the property names the validator reads; objects whose keys the
// validator enumerates (maps such as labels, resource lists) accept any key.
function tracked(root) {
    const records = new Map(); // target object -> {path, read:Set, enumerated:bool}
    const wrap = (obj, p) => {
        if (obj === null || typeof obj !== "object") return obj;
        let rec = records.get(obj);
        if (!rec) records.set(obj, (rec = { path: p, read: new Set(), enumerated: false }));
        return new Proxy(obj, {
            get(t, k, r) {
                const v = Reflect.get(t, k, r);
                if (typeof k !== "string") return v;
                rec.read.add(k);
                return v !== null && typeof v === "object" ? wrap(v, `${p}/${k}`) : v;
            },
            has(t, k) {
                if (typeof k === "string") rec.read.add(k);
                return Reflect.has(t, k);
            },
            ownKeys(t) {
                rec.enumerated = true;
                return Reflect.ownKeys(t);
            },
        });
    };
    return { proxy: wrap(root, ""), records };
}

function schemaErrors(obj) {
    const validate = loadValidator(obj.apiVersion, obj.kind);
    if (!validate) return [`no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`];
    const { proxy, records } = tracked(obj);
    const errors = [];
    if (!validate(proxy))
        for (const e of validate.errors) errors.push(`${e.instancePath || "/"} ${e.message || e.keyword} ${JSON.stringify(e.params)}`);
    for (const [o, rec] of records) {
        if (Array.isArray(o) || rec.enumerated) continue;
        for (const k of Object.keys(o)) if (!rec.read.has(k)) errors.push(`${rec.path}/${k}: unknown field`);
    }
    return errors;
}

// --- 3. and 4. API-server rules and ORFEAS rules ----------------------------------------------------------------

function podSpec(job) {
    return job?.spec?.template?.spec ?? {};
}

function orfeasContainer(job) {
    return (podSpec(job).containers ?? []).find((c) => (c.command ?? [])[0] === "orfeas");
}

function argvOf(c) {
    return [...(c.command ?? []), ...(c.args ?? [])];
}

function optionValue(argv, ...names) {
    for (let i = 0; i < argv.length - 1; ++i) if (names.includes(argv[i])) return argv[i + 1];
    return undefined;
}

function underMount(p, mounts) {
    return mounts.some((m) => p === m.mountPath || p.startsWith(m.mountPath.replace(/\/$/, "") + "/"));
}

let cliOptions = null; // {generate: Map(option -> takesValue), merge: ...}
function cliHelp(sub) {
    const text = execFileSync(orfeasBin, [...sub, "--help"], { encoding: "utf8" });
    const opts = new Map();
    for (const line of text.split("\n")) {
        // "  -o,--output TEXT REQUIRED   ...", "  --backend TEXT:BACKEND=auto ...", "  --json   ..."
        const [spec, type] = line.trim().split(/\s+/);
        if (!line.startsWith("  ") || !/^(-\w,)?--[\w-]+$/.test(spec ?? "")) continue;
        const value = /^(TEXT|INT|UINT|FLOAT|[A-Z]+:)/.test(type ?? "");
        for (const name of spec.split(",")) opts.set(name, value);
    }
    return opts;
}

// Whether a generate option takes a value: from the CLI's help when --orfeas is given, else from the known flags.
const kFlags = ["--json", "--overwrite", "-r", "--recursive", "--no-reports", "-v", "--verbose", "--low-vram", "-h", "--help"];
function takesValue(option) {
    if (option.includes("=")) return false;
    if (cliOptions?.generate) return cliOptions.generate.get(option) ?? false;
    return !kFlags.includes(option);
}

function checkCliArgs(argv, options, where, errors) {
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (!a.startsWith("-")) continue;
        const name = a.includes("=") ? a.slice(0, a.indexOf("=")) : a;
        if (!options.has(name)) {
            errors.push(`${where}: orfeas does not know the option ${name}`);
        } else if (options.get(name) && !a.includes("=")) {
            if (i + 1 >= argv.length || argv[i + 1].startsWith("--")) errors.push(`${where}: ${name} needs a value`);
            ++i;
        }
    }
}

function semanticErrors(objects) {
    const errors = [];
    const claims = new Map(objects.filter((o) => o.kind === "PersistentVolumeClaim").map((o) => [o.metadata?.name, o]));
    const jobs = objects.filter((o) => o.kind === "Job");
    let batchOutput = null;
    const mergeFolders = [];
    for (const job of jobs) {
        const name = job.metadata?.name;
        const spec = job.spec ?? {};
        const pod = podSpec(job);
        const where = `Job ${name}`;
        const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
        const containers = pod.containers ?? [];
        if (spec.podFailurePolicy && pod.restartPolicy !== "Never")
            errors.push(`${where}: podFailurePolicy needs restartPolicy Never`);
        if (!["Never", "OnFailure"].includes(pod.restartPolicy))
            errors.push(`${where}: a Job's restartPolicy must be Never or OnFailure`);
        if (spec.backoffLimitPerIndex !== undefined && spec.completionMode !== "Indexed")
            errors.push(`${where}: backoffLimitPerIndex needs completionMode Indexed`);
        for (const rule of spec.podFailurePolicy?.rules ?? []) {
            if (rule.action === "FailIndex" && spec.backoffLimitPerIndex === undefined)
                errors.push(`${where}: FailIndex needs backoffLimitPerIndex`);
            const cn = rule.onExitCodes?.containerName;
            if (cn && !containers.some((c) => c.name === cn)) errors.push(`${where}: podFailurePolicy names unknown container ${cn}`);
        }
        const names = containers.map((c) => c.name);
        if (new Set(names).size !== names.length) errors.push(`${where}: duplicate container names`);
        for (const c of containers) {
            for (const m of c.volumeMounts ?? []) {
                const v = volumes.get(m.name);
                if (!v) {
                    errors.push(`${where}: container ${c.name} mounts undeclared volume ${m.name}`);
                    continue;
                }
                const claimName = v.persistentVolumeClaim?.claimName;
                if (claimName !== undefined) {
                    const claim = claims.get(claimName);
                    if (!claim) errors.push(`${where}: volume ${m.name} claims ${claimName}, which no manifest defines`);
                    else if (!(claim.spec?.accessModes ?? []).includes("ReadWriteMany"))
                        errors.push(`${where}: claim ${claimName} is shared by several pods and must be ReadWriteMany`);
                }
            }
            const envNames = (c.env ?? []).map((e) => e.name);
            if (new Set(envNames).size !== envNames.length) errors.push(`${where}: duplicate env names in ${c.name}`);
        }
        const c = containers.find((x) => (x.command ?? [])[0] === "orfeas");
        if (!c) {
            errors.push(`${where}: no container runs orfeas`);
            continue;
        }
        const args = argvOf(c);
        const mounts = c.volumeMounts ?? [];
        if (args[1] === "generate") {
            if (spec.completionMode !== "Indexed") errors.push(`${where}: completionMode must be Indexed`);
            if (!Number.isInteger(spec.completions) || spec.completions < 1)
                errors.push(`${where}: completions must be a positive integer`);
            if (spec.parallelism !== undefined && spec.parallelism > spec.completions)
                errors.push(`${where}: parallelism ${spec.parallelism} exceeds completions ${spec.completions}`);
            if (optionValue(args, "--shard") !== "auto") errors.push(`${where}: orfeas generate needs --shard auto`);
            const count = (c.env ?? []).find((e) => e.name === "ORFEAS_SHARD_COUNT");
            if (!count || count.value !== String(spec.completions))
                errors.push(`${where}: env ORFEAS_SHARD_COUNT (${count?.value}) must equal spec.completions (${spec.completions})`);
            const out = optionValue(args, "-o", "--output");
            if (!out || !underMount(out, mounts)) errors.push(`${where}: the output folder ${out} is not on a mounted volume`);
            batchOutput = out;
            if (orfeasBin) checkCliArgs(args.slice(2), (cliOptions.generate ??= cliHelp(["generate"])), where, errors);
            const inputs = [];
            for (let i = 2; i < args.length; ++i) {
                if (args[i].startsWith("-")) {
                    if (takesValue(args[i])) ++i;
                    continue;
                }
                inputs.push(args[i]);
            }
            if (inputs.length === 0) errors.push(`${where}: no input folder`);
            for (const p of inputs) if (!underMount(p, mounts)) errors.push(`${where}: input ${p} is not on a mounted volume`);
            for (const m of mounts)
                if (!claims.has(volumes.get(m.name)?.persistentVolumeClaim?.claimName))
                    errors.push(`${where}: ${m.mountPath} is not on the shared claim`);
        } else if (args[1] === "report" && args[2] === "merge") {
            if (orfeasBin) checkCliArgs(args.slice(3), (cliOptions.merge ??= cliHelp(["report", "merge"])), where, errors);
            const out = optionValue(args, "-o", "--output");
            for (let i = 3; i < args.length; ++i) {
                if (args[i] === "-o" || args[i] === "--output") ++i;
                else if (!args[i].startsWith("-")) mergeFolders.push(args[i]);
            }
            if (!out || !underMount(out, mounts)) errors.push(`${where}: the merged report folder is not on a mounted volume`);
        } else {
            errors.push(`${where}: orfeas ${args[1]} is neither generate nor report merge`);
        }
    }
    if (batchOutput && jobs.some((j) => argvOf(orfeasContainer(j) ?? {})[2] === "merge") && !mergeFolders.includes(batchOutput))
        errors.push(`the merge job reads ${mergeFolders.join(", ")}, not the batch output ${batchOutput}`);
    return errors;
}

// --- run ----------------------------------------------------------------------------------------------------------

function parseFiles(paths) {
    const objects = [];
    const errors = [];
    for (const f of paths) {
        const docs = YAML.parseAllDocuments(fs.readFileSync(f, "utf8"), { prettyErrors: true, uniqueKeys: true });
        for (const d of docs) {
            for (const e of [...d.errors, ...d.warnings]) errors.push(`${f}: ${e.message}`);
            const o = d.toJS();
            if (o !== null && o !== undefined) objects.push(o);
        }
    }
    return { objects, errors };
}

function allErrors(objects) {
    const errors = [];
    for (const o of objects) {
        const id = `${o.kind} ${o.metadata?.name}`;
        if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") {
            errors.push(`${id}: apiVersion and kind are required`);
            continue;
        }
        if (!{ Job: "batch/v1", PersistentVolumeClaim: "v1" }[o.kind])
            errors.push(`${id}: unexpected kind`);
        else if ({ Job: "batch/v1", PersistentVolumeClaim: "v1" }[o.kind] !== o.apiVersion)
            errors.push(`${id}: apiVersion ${o.apiVersion}`);
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(o.metadata?.name ?? "") || o.metadata.name.length > 63)
            errors.push(`${id}: metadata.name must be a DNS label`);
        for (const e of schemaErrors(o)) errors.push(`${id}: ${e}`);
    }
    return errors.concat(semanticErrors(objects));
}

if (orfeasBin) cliOptions = {};
const { objects, errors: parseErrors } = parseFiles(files);
const errors = parseErrors.concat(allErrors(objects));
for (const o of objects) console.log(`${o.kind} ${o.metadata?.name}: checked`);
if (errors.length) {
    for (const e of errors) console.log(`INVALID: ${e}`);
    process.exit(1);
}

// Mutations that must each be rejected (the checks above can fail).
const jobIndex = objects.findIndex((o) => o.kind === "Job" && o.spec?.completionMode === "Indexed");
const mutations = {
    "unknown field in the Job spec": (os) => (os[jobIndex].spec.completionsMode = "Indexed"),
    "unknown field in a container": (os) => (orfeasContainer(os[jobIndex]).volumeMount = []),
    "misspelt env field": (os) => (orfeasContainer(os[jobIndex]).env[0].valeu = "4"),
    "string where an integer is due": (os) => (os[jobIndex].spec.completions = "4"),
    "completionMode outside its enum": (os) => (os[jobIndex].spec.completionMode = "indexed"),
    "container without name": (os) => delete orfeasContainer(os[jobIndex]).name,
    "shard count differs from completions": (os) => (os[jobIndex].spec.completions = 5),
    "no --shard auto": (os) => (orfeasContainer(os[jobIndex]).command = ["orfeas", "generate"]),
    "mount of an undeclared volume": (os) => (podSpec(os[jobIndex]).volumes[0].name = "other"),
    "claim not ReadWriteMany": (os) => (os.find((o) => o.kind === "PersistentVolumeClaim").spec.accessModes = ["ReadWriteOnce"]),
    "podFailurePolicy with restartPolicy OnFailure": (os) => (podSpec(os[jobIndex]).restartPolicy = "OnFailure"),
    "wrong apiVersion": (os) => (os[jobIndex].apiVersion = "batch/v1beta1"),
};
if (orfeasBin) mutations["unknown orfeas option"] = (os) => orfeasContainer(os[jobIndex]).args.push("--resolutoin", "64");
let missed = 0;
if (jobIndex < 0) {
    console.log("INVALID: no Indexed Job among the manifests");
    process.exit(1);
}
for (const [what, mutate] of Object.entries(mutations)) {
    const copy = structuredClone(objects);
    mutate(copy);
    const found = allErrors(copy);
    if (found.length === 0) {
        console.log(`NOT CAUGHT: ${what}`);
        ++missed;
    } else {
        console.log(`caught: ${what} -> ${found[0]}`);
    }
}
if (missed) process.exit(1);
console.log(`valid: ${objects.length} objects; ${Object.keys(mutations).length} mutations rejected`);
