// How src/ is bundled by esbuild: for the CLI (scripts/build.mjs) and for the
// modules a bench imports in process (scripts/bench.mjs). Every output file is
// one folder deep in dist/ (dist/cli/main.js, dist/exec/worker.js,
// dist/chunks/*.js, dist/config/load.js): see moduleUrls.
import { build } from 'esbuild';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = path.join(root, 'src');
export const dist = path.join(root, 'dist');
const requireHere = createRequire(path.join(src, 'cli', 'main.ts'));

/** Whether node reads `file` as CommonJS: .cjs, or .js under a package.json that does not say "type": "module". */
function isCommonJs(file) {
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

/**
 * src/ finds files beside the package (presets/, dashboard/, bin/, package.json,
 * the worker) by `new URL('../../x', import.meta.url)`, relative to where its
 * module was. In a bundle the module is in some chunk, so each module's
 * `import.meta.url` is made the URL it would have unbundled, dist/<its path>.js,
 * from the chunk's own URL. That holds while every output file is one folder
 * deep in dist/, which `bundle` checks.
 *
 * For a CommonJS bundle (`cjs`), each import() that esbuild leaves to node
 * (of a package in EXTERNAL, or of a computed name: a config written in
 * JavaScript) becomes `__orchestraImport(…)`, a function its runner passes in
 * (src/cli/check-launch.ts): node cannot import() from a vm.Script compiled
 * from a code cache (nodejs/node#43663, "A dynamic import callback was not
 * specified"). The others are bundled, as in the ES build.
 */
const EXTERNAL = ['tinypool', 'jsonc-parser'];
const DYNAMIC_IMPORT = /(?<![\w$.]|typeof\s+)import\s*\((?:\s*(['"])([^'"\n]*)\1)?/g;
const leftToNode = (match, quote, name) => quote === undefined || EXTERNAL.includes(name);

const moduleUrls = (cjs) => ({
  name: 'module-urls',
  setup(b) {
    b.onLoad({ filter: /\/src\/.*\.ts$/ }, (args) => {
      let text = readFileSync(args.path, 'utf8');
      const urls = text.includes('import.meta.url');
      const imports = cjs && [...text.matchAll(DYNAMIC_IMPORT)].some((m) => leftToNode(...m));
      if (!urls && !imports) return undefined;
      if (urls) {
        const asBuilt = path.relative(src, args.path).replace(/\.ts$/, '.js').split(path.sep).join('/');
        text = text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`../${asBuilt}`)}, import.meta.url).href`);
      }
      if (imports) text = text.replace(DYNAMIC_IMPORT, (...m) => (leftToNode(...m) ? m[0].replace(/^import/, '__orchestraImport') : m[0]));
      return { contents: text, loader: 'ts' };
    });
  },
});

/**
 * esbuild gives a dynamic import() of a CommonJS package (yaml) a default export
 * only, where node also gives the names it exports (`const { parse } = await
 * import('yaml')`): such an import goes through a module that exports them by
 * name. An ES package is left as it is.
 */
const commonJsNames = {
  name: 'commonjs-names',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.kind !== 'dynamic-import' || args.path.startsWith('node:') || args.namespace !== 'file') return undefined;
      const target = await b.resolve(args.path, { kind: 'dynamic-import', resolveDir: args.resolveDir });
      if (target.errors.length || target.external || !isCommonJs(target.path)) return undefined;
      const exported = requireHere(args.path);
      // With __esModule set, esbuild's default import would be its `default`, not node's module.exports: not handled here.
      if (exported.__esModule) throw new Error(`bundle: ${args.path} is imported dynamically and sets __esModule; see commonJsNames`);
      const names = Object.keys(exported).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      return { path: args.path, namespace: 'commonjs-names', pluginData: names };
    });
    b.onLoad({ filter: /.*/, namespace: 'commonjs-names' }, (args) => ({
      contents: `import m from ${JSON.stringify(args.path)};\nexport default m;\nexport const { ${args.pluginData.join(', ')} } = m;\n`,
      resolveDir: src,
      loader: 'js',
    }));
  },
};

/** The schema validators, generated into dist/config/ by build-schemas.mjs: src/ has only their declarations. */
const schemaValidators = {
  name: 'schema-validators',
  setup(b) {
    b.onResolve({ filter: /^\.\/schema-validators\.js$/ }, () => ({ path: path.join(dist, 'config', 'schema-validators.js') }));
  },
};

/**
 * An ES module of the bundle starts with a `require` for the CommonJS packages bundled in (commander,
 * picomatch, yaml). A CommonJS bundle is one function expression, CommonJS's wrapper with `__orchestraImport`
 * (see moduleUrls) added, that src/cli/check-launch.ts compiles as it is: a wrapper added when it runs would
 * copy the whole text again. It has no `import.meta`: each module's `import.meta.url` is the bundle's own URL,
 * taken from `__filename`; and it runs in strict mode, as the ES modules it is built from do.
 */
const BANNERS = {
  esm: "import { createRequire as __orchestraRequire } from 'node:module';\nconst require = __orchestraRequire(import.meta.url);",
  cjs: '(function (exports, require, module, __filename, __dirname, __orchestraImport) {"use strict";\nconst __orchestraUrl = require("node:url").pathToFileURL(__filename).href;',
};

/**
 * esbuild writes ASCII (charset: 'ascii' escapes every other character in strings, templates, regular
 * expressions and names) but keeps the comments it keeps as they are: one `…` in a comment makes node read
 * the whole file as a two-byte string, slower to decode and to parse (a bundle of a megabyte: ~10 ms). Each
 * UTF-16 unit past ASCII, so only in a comment, becomes `?`: the same columns, for the source maps.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
}

/**
 * Bundles `entries` (paths under src/) into dist/<folder>/<name>.js; with `splitting`, each dynamic import()
 * is a chunk in dist/chunks/. `format: 'cjs'`: one CommonJS file, dist/<folder>/<name>.cjs, each dynamic
 * import() of src/ inside it (evaluated when first imported), for a V8 code cache (src/cli/code-cache.ts).
 */
export async function bundle(entries, { splitting, format = 'esm' }) {
  const cjs = format === 'cjs';
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries.map((e) => path.join(src, e)),
    outbase: src,
    outdir: dist,
    entryNames: '[dir]/[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting,
    format,
    ...(cjs
      ? {
          outExtension: { '.js': '.cjs' },
          define: { 'import.meta.url': '__orchestraUrl' },
          // tinypool and a config written in JavaScript stay import()s (node's loader, as in the ES build), not require()s.
          supported: { 'dynamic-import': true },
          minifyWhitespace: true,
          minifySyntax: true,
        }
      : {}),
    platform: 'node',
    target: 'node20',
    // tinypool starts its workers from a file of its own package, found beside its own module: it cannot move.
    // jsonc-parser's main build is a UMD module that requires its own files by computed names, which a
    // bundle cannot follow (`mcp install` failed with "Cannot find module './impl/format'"): node loads it.
    external: EXTERNAL,
    banner: { js: BANNERS[format] },
    ...(cjs ? { footer: { js: '})' } } : {}),
    // Kept out of the package (package.json `files`); in a checkout an internal error's stack is mapped to src/ by them.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    plugins: [moduleUrls(cjs), commonJsNames, schemaValidators],
  });
  const outputs = Object.keys(result.metafile.outputs).filter((f) => /\.c?js$/.test(f));
  const deep = outputs.filter((f) => path.relative(dist, path.join(root, f)).split(path.sep).length !== 2);
  if (deep.length) throw new Error(`bundle: every output must be one folder deep in dist/ (see moduleUrls): ${deep.join(', ')}`);
  for (const f of outputs) asciiOnly(path.join(root, f));
  // What DYNAMIC_IMPORT missed (an import() in a bundled package) would fail only once the code cache is used.
  const imports = cjs ? outputs.filter((f) => /\bimport\s*\(/.test(readFileSync(path.join(root, f), 'utf8'))) : [];
  if (imports.length) throw new Error(`bundle: an import() left in ${imports.join(', ')}: a vm.Script run from a code cache cannot import (see moduleUrls)`);
}
