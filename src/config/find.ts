import type { Loader } from 'cosmiconfig';
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const MODULE = 'orchestra';

/** Where cosmiconfig looks, in each directory from the start upwards. No .ts: that needs a compiler at run time. */
export const SEARCH_PLACES = [
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `${MODULE}.config.json`,
  `${MODULE}.config.js`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.cjs`,
  `.${MODULE}rc`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.mjs`,
  `.${MODULE}rc.cjs`,
  `.config/${MODULE}rc`,
  `.config/${MODULE}rc.yaml`,
  `.config/${MODULE}rc.yml`,
  `.config/${MODULE}rc.json`,
  'package.json',
];

function isFile(file: string): boolean {
  try {
    return statSync(file, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false; // unreadable: cosmiconfig decides, as it always did
  }
}

/**
 * Finds the config file from `start` upwards. cosmiconfig only decides which
 * file it is: orchestra parses it itself, keeping source positions, so the
 * loaders here return a marker instead of a parsed value.
 */
export function findConfigFile(start: string): string | undefined {
  // cosmiconfig looks at the start folder first, in the order above: when its first place is a file there,
  // that is its answer, known without loading cosmiconfig (a dozen modules on every start of a hook).
  const first = path.join(path.resolve(start), SEARCH_PLACES[0] as string);
  if (isFile(first)) return first;
  const { cosmiconfigSync } = createRequire(import.meta.url)('cosmiconfig') as typeof import('cosmiconfig');
  const found: Loader = () => ({ found: true });
  const packageJson: Loader = (filepath, content) => {
    if (path.basename(filepath) !== 'package.json') return { found: true };
    try {
      const pkg = JSON.parse(content) as Record<string, unknown>;
      return { [MODULE]: MODULE in pkg ? { found: true } : undefined };
    } catch {
      return {}; // a broken package.json is not ours to report
    }
  };
  const explorer = cosmiconfigSync(MODULE, {
    searchPlaces: SEARCH_PLACES,
    loaders: { '.yaml': found, '.yml': found, '.json': packageJson, '.js': found, '.mjs': found, '.cjs': found, noExt: found },
    stopDir: path.parse(start).root,
    ignoreEmptySearchPlaces: false,
    cache: false,
  });
  const result = explorer.search(start);
  return result?.filepath;
}
