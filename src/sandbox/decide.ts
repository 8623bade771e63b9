import type { SandboxSettings } from '../config/types.js';
import type { Availability } from './availability.js';

/**
 * What a run does about its sandbox, from the config and what this machine
 * can do. Pure. `use`: start agents inside bubblewrap; `warn`: start them
 * unconfined and say why once; `refuse`: do not start (exit 2).
 */
export type SandboxDecision =
  | { readonly kind: 'use'; readonly bin: string }
  | { readonly kind: 'off' }
  | { readonly kind: 'warn'; readonly message: string }
  | { readonly kind: 'refuse'; readonly message: string };

export function decideSandbox(settings: SandboxSettings, available: Availability | undefined): SandboxDecision {
  if (settings.mode === 'off') return { kind: 'off' };
  if (available?.ok) return { kind: 'use', bin: available.bin };
  const why = available ? `${available.reason}; to fix: ${available.fix}` : 'not tried';
  if (settings.mode === 'required') return { kind: 'refuse', message: `sandbox: required, but agents cannot be sandboxed here: ${why}` };
  return { kind: 'warn', message: `agents run without a sandbox: ${why} (sandbox: off in the config says this is intended)` };
}
