// Compiles the JSON schemas to standalone validator code at build time, so
// that `orchestra validate` does not pay for ajv's compiler on every start.
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';

const read = (f) => JSON.parse(readFileSync(new URL(`../schemas/${f}`, import.meta.url), 'utf8'));
// verbose: errors carry their parentSchema, which the did-you-mean hints read.
const ajv = new Ajv.default({ allErrors: true, verbose: true, strict: true, code: { source: true, esm: true, lines: false } });
ajv.addSchema(read('orchestra.config.schema.json'), 'config');
ajv.addSchema(read('team.schema.json'), 'team');
ajv.addSchema(read('plan.schema.json'), 'plan');
const code = standaloneCode.default(ajv, { validateConfig: 'config', validateTeam: 'team', validatePlan: 'plan' });
// ajv's standalone ESM output still calls require() for its runtime helpers. Under another name: a bare
// `require` would be bundled by esbuild (scripts/build.mjs) with the wrong default-export interop, and would
// clash with the `require` its banner declares in every chunk.
const prelude = "import { createRequire } from 'node:module';\nconst requireAjvRuntime = createRequire(import.meta.url);\n";
const esm = code.replace(/\brequire\(/g, 'requireAjvRuntime(');
// A $ref'd schema (each gate, phase, task) is its own function, and ajv appends its errors with
// `vErrors = vErrors.concat(errors)`: a copy of every error so far per gate, quadratic in a file of
// 100,000 gates with mistakes. Appending in place keeps validation linear.
const CONCAT = /vErrors = vErrors === null \? (validate\d+)\.errors : vErrors\.concat\(\1\.errors\);/g;
const linear = esm.replace(CONCAT, 'if (vErrors === null) vErrors = $1.errors; else for (const e of $1.errors) vErrors.push(e);');
if (esm.includes('vErrors.concat(') && !CONCAT.test(esm)) throw new Error('build-schemas: ajv changed how it appends errors; update CONCAT');
if (linear.includes('vErrors.concat(')) throw new Error('build-schemas: an error append was left quadratic');
mkdirSync(new URL('../dist/config/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/config/schema-validators.js', import.meta.url), prelude + linear.replace(/^"use strict";/, ''));
