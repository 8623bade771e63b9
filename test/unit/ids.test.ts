import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ID, newRunId } from '../../src/workspace/run-ids.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/orchestra.config.schema.json', import.meta.url), 'utf8')) as {
  definitions: { id: { pattern: string } };
};

/** What git itself says of `orchestra/<id>` as a branch name. */
function gitAccepts(id: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', `orchestra/${id}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the one id rule (task, phase and run ids)', () => {
  it('is the schema pattern for task and phase ids, character for character', () => {
    expect(schema.definitions.id.pattern).toBe(ID.source);
  });

  it.each(['a', 'user-model', 'phase-1.app-api', 'v1.2_x', newRunId(), 'A'.repeat(100)])('accepts %s, and so do git and the file system', (id) => {
    expect(ID.test(id)).toBe(true);
    expect(gitAccepts(id)).toBe(true);
    expect(id.includes('/')).toBe(false);
  });

  it.each(['a:b', 'x..y', 't.lock', 't/', 'p..q', '../x', '..', '.', '.a', 'a.', 'a b', 'a~1', 'a^', 'a@{1}', 'a\nb', '', 'A'.repeat(101), '-a'])(
    'refuses %j',
    (id) => {
      expect(ID.test(id)).toBe(false);
    },
  );
});
