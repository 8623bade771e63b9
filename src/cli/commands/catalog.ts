import path from 'node:path';
import { builtinPresetNames, PRESETS_DIR } from '../../config/layers.js';
import { loadConfig } from '../../config/load.js';
import { styleFor } from '../../logger/style.js';
import { BUILTIN_RULES } from '../../rules/registry.js';
import { EXIT } from '../exit-codes.js';

export function rulesCommand(json: boolean): number {
  const rules = [...BUILTIN_RULES.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        rules.map((r) => ({ id: r.id, description: r.description, severity: r.severity, files: r.files, exclude: r.exclude, options: r.options })),
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const style = styleFor(process.stdout);
  for (const r of rules) {
    process.stdout.write(`${style.bold(r.id)} ${style.dim(`(${r.severity})`)}\n  ${r.description}\n  ${style.dim(`files: ${r.files.join(' ')}`)}\n`);
    for (const [key, o] of Object.entries(r.options))
      process.stdout.write(`  option ${style.cyan(key)}: ${o.description} ${style.dim(`default: ${JSON.stringify(o.default)}`)}\n`);
    process.stdout.write('\n');
  }
  process.stdout.write("A gate runs a rule with 'rule: <id>'; 'options:', 'files:', 'exclude:' and 'severity:' on the gate tune it.\n");
  return EXIT.ok;
}

/** Loads each builtin preset through the real loader, so what is listed is what `extends` gives. */
export async function presetsCommand(json: boolean): Promise<number> {
  const out: Array<{ name: string; gates: Array<{ name: string; does: string; description?: string }>; hooks: Record<string, string[]> }> = [];
  for (const name of builtinPresetNames()) {
    const { config } = await loadConfig({ cwd: PRESETS_DIR, configPath: path.join(PRESETS_DIR, `${name}.yaml`), cache: false });
    if (!config) continue;
    out.push({
      name,
      gates: [...config.gates.values()].map((g) => ({
        name: g.name,
        does: g.rule ? `rule ${g.rule.id}` : g.run ? ('shell' in g.run ? g.run.shell : g.run.argv.join(' ')) : '',
        ...(g.description ? { description: g.description } : {}),
      })),
      hooks: Object.fromEntries(Object.entries(config.hooks).map(([h, refs]) => [h, refs.map((r) => r.id)])),
    });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }
  const style = styleFor(process.stdout);
  for (const p of out) {
    process.stdout.write(`${style.bold(p.name)}  ${style.dim(`extends: [${p.name}]`)}\n`);
    for (const g of p.gates) process.stdout.write(`  ${style.cyan(g.name)}: ${g.does}${g.description ? style.dim(`  ${g.description}`) : ''}\n`);
    for (const [h, gates] of Object.entries(p.hooks)) process.stdout.write(`  ${style.dim(`hooks.${h}: ${gates.join(', ')}`)}\n`);
    process.stdout.write('\n');
  }
  return EXIT.ok;
}
