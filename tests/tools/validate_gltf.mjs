// Validates a glTF 2.0 asset (.glb or .gltf) with the Khronos glTF validator and prints the report as JSON on
// stdout. Exit status: 0 when the report has no errors, 1 when it has errors, 2 when the file could not be read or
// the validator could not parse it at all. Used by tests/core/export (tst_exporter).
//
//   node tests/tools/validate_gltf.mjs <file.glb|file.gltf>
//
// Install the validator first: npm install --prefix tests/tools

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

async function main() {
    const file = process.argv[2];
    if (!file) {
        process.stderr.write('usage: node validate_gltf.mjs <file.glb|file.gltf>\n');
        return 2;
    }
    let validator;
    try {
        validator = require('gltf-validator');
    } catch (e) {
        process.stderr.write('gltf-validator is not installed (run: npm install --prefix tests/tools)\n');
        return 3;
    }
    let bytes;
    try {
        bytes = new Uint8Array(await readFile(file));
    } catch (e) {
        process.stderr.write(`cannot read ${file}: ${e.message}\n`);
        return 2;
    }
    const dir = path.dirname(path.resolve(file));
    try {
        const report = await validator.validateBytes(bytes, {
            uri: path.basename(file),
            maxIssues: 0,
            writeTimestamp: false,
            // .gltf files may reference buffers and images beside them.
            externalResourceFunction: async (uri) =>
                new Uint8Array(await readFile(path.resolve(dir, decodeURIComponent(uri)))),
        });
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return report.issues.numErrors === 0 ? 0 : 1;
    } catch (e) {
        process.stderr.write(`validator failed: ${e}\n`);
        return 2;
    }
}

process.exitCode = await main();
