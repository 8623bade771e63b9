import { describe, expect, it } from 'vitest';
import { nodeStates } from '../../src/cli/commands/watch.js';
import type { OrchestraEvent } from '../../src/events/events.js';
import { activityOf } from '../../src/logger/agent-activity.js';
import { plainRenderer } from '../../src/logger/plain-renderer.js';
import type { Style } from '../../src/logger/style.js';
import type { Finding } from '../../src/rules/types.js';

const id = (s: string): string => s;
const plain: Style = { red: id, yellow: id, green: id, cyan: id, dim: id, bold: id };

const finding = (line: number, severity: Finding['severity'] = 'error'): Finding => ({
  rule: 'sqlalchemy/timestamp-server-default',
  file: 'app/models.py',
  line,
  column: 5,
  endLine: line,
  endColumn: 9,
  severity,
  message: `column at line ${line} has no server_default`,
});

function gateRun(findings: Finding[]): OrchestraEvent[] {
  const nodes = [
    { id: 'gate:models/timestamps', kind: 'gate', name: 'timestamps', phase: 'models', needs: [] },
    { id: 'checkpoint:models', kind: 'checkpoint', name: 'models', phase: 'models', needs: ['gate:models/timestamps'] },
  ] as const;
  return [
    { type: 'run-started', ts: 0, runId: 'r', command: 'run', root: '/repo', nodes },
    { type: 'node-started', ts: 1, nodeId: 'gate:models/timestamps', attempt: 1 },
    ...findings.map((f): OrchestraEvent => ({ type: 'finding', ts: 2, nodeId: 'gate:models/timestamps', finding: f })),
    {
      type: 'node-finished',
      ts: 3,
      nodeId: 'gate:models/timestamps',
      status: 'failed',
      reason: 'findings',
      message: `${findings.length} findings`,
      durationMs: 2,
      exitCode: null,
      signal: null,
      attempts: 1,
    },
    { type: 'node-skipped', ts: 4, nodeId: 'checkpoint:models', reason: 'needs timestamps, which failed' },
  ];
}

describe('a failed gate, as the terminal and status show it', () => {
  it('the plain renderer names the first three error findings under the failed gate, and counts the rest', () => {
    const out: string[] = [];
    const r = plainRenderer((s) => out.push(s), plain);
    for (const e of gateRun([finding(3), finding(4, 'warning'), finding(7), finding(9), finding(12), finding(15)])) r.subscriber(e);
    const text = out.join('');
    expect(text).toContain(
      [
        '✗ models/timestamps 6 findings 2ms',
        '    app/models.py:3:5: column at line 3 has no server_default (sqlalchemy/timestamp-server-default)',
        '    app/models.py:7:5: column at line 7 has no server_default (sqlalchemy/timestamp-server-default)',
        '    app/models.py:9:5: column at line 9 has no server_default (sqlalchemy/timestamp-server-default)',
        '    … and 2 more',
      ].join('\n'),
    );
    expect(text).not.toContain('line 4');
  });

  it('a second run of the same gate starts its findings afresh', () => {
    const out: string[] = [];
    const r = plainRenderer((s) => out.push(s), plain);
    for (const e of [...gateRun([finding(3)]), ...gateRun([finding(8)]).slice(1)]) r.subscriber(e);
    const text = out.join('');
    expect(text.match(/line 3/g)).toHaveLength(1);
    expect(text).toContain('app/models.py:8:5');
  });

  it('status says why a node failed or was skipped', () => {
    const rows = nodeStates(gateRun([finding(3)]), 10);
    expect(rows.map((r) => [r.node.name, r.state, r.why])).toEqual([
      ['timestamps', 'failed', '1 findings'],
      ['models', 'skipped', 'needs timestamps, which failed'],
    ]);
  });
});

describe('what a running agent is doing, as status shows it', () => {
  it('names the tool and its file or command, or what the agent said, in one short line', () => {
    expect(activityOf({ kind: 'tool-use', name: 'Write', input: { file_path: 'app/models.py', content: 'x' } })).toBe('Write app/models.py');
    expect(activityOf({ kind: 'tool-use', name: 'exec_command', input: { cmd: ['pytest', '-q'] } })).toBe('exec_command pytest -q');
    expect(activityOf({ kind: 'tool-use', name: 'TodoWrite', input: {} })).toBe('TodoWrite');
    expect(activityOf({ kind: 'message', text: 'Done.\n\nI added the model.' })).toBe('said: Done. I added the model.');
    expect(activityOf({ kind: 'message', text: 'x'.repeat(500) })).toHaveLength(6 + 120);
    expect(activityOf({ kind: 'tool-result', ok: false, output: 'exit 1' })).toBe('tool failed: exit 1');
  });

  it('status keeps the latest activity of a running agent node', () => {
    const nodes = [{ id: 'task:p/a', kind: 'task', name: 'a', phase: 'p', needs: [] }] as const;
    const events: OrchestraEvent[] = [
      { type: 'run-started', ts: 0, runId: 'r', command: 'run', root: '/repo', nodes },
      { type: 'node-started', ts: 1, nodeId: 'task:p/a', attempt: 1 },
      { type: 'agent-event', ts: 2, nodeId: 'task:p/a', agent: 'claude', event: { kind: 'tool-use', name: 'Write', input: { file_path: 'a.py' } } },
      { type: 'agent-event', ts: 3, nodeId: 'task:p/a', agent: 'claude', event: { kind: 'tool-use', name: 'Bash', input: { command: 'pytest' } } },
    ];
    expect(nodeStates(events, 10)[0]).toMatchObject({ state: 'running', agent: 'claude', activity: 'Bash pytest' });
  });
});
