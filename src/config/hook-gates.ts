import { warning, type Diagnostic } from './diagnostic.js';
import type { Gate, HookName, Ref } from './types.js';
import { HOOK_NAMES } from './types.js';

type Hooks = Partial<Record<HookName, Ref[]>>;

/**
 * Turning a gate off (`enabled: false`, the way to drop a preset's gate) takes
 * it out of every hook list and every `needs` that names it: a preset's list
 * keeps working without it. Each removal is a note for `validate`, at the
 * entry that named the gate, never an error that blocks a push.
 */
export function dropDisabledGates(gates: Map<string, Gate>, hooks: Hooks): { notes: Diagnostic[] } {
  const notes: Diagnostic[] = [];
  const off = (ref: Ref): boolean => gates.get(ref.id)?.enabled === false;
  for (const hook of HOOK_NAMES) {
    const refs = hooks[hook];
    if (!refs?.some(off)) continue;
    for (const ref of refs.filter(off)) notes.push(warning(`note: hook '${hook}' skips gate '${ref.id}', which is disabled ('enabled: false')`, ref.loc));
    hooks[hook] = refs.filter((r) => !off(r));
  }
  for (const [name, gate] of gates) {
    if (!gate.enabled || !gate.needs.some(off)) continue;
    for (const ref of gate.needs.filter(off))
      notes.push(warning(`note: gate '${name}' no longer waits for gate '${ref.id}', which is disabled ('enabled: false')`, ref.loc));
    gates.set(name, { ...gate, needs: gate.needs.filter((r) => !off(r)) });
  }
  return { notes };
}
