import { describe, expect, it } from 'vitest';
import { SourceText } from '../../src/config/source-text.js';
import { parseSpec } from '../../src/config/spec.js';
import { configOf } from '../helpers/config.js';
import { compile } from '../../src/graph/compile.js';

const GRPC = `# Orders platform

Some context the agents should read first.

## Architecture
- backend: Python FastAPI
- grpc-service: Go

## Implementation Phases

### Phase 1: Proto Definitions & Setup
- Define gRPC proto files
- Generate Python and Go code

Modules: proto
Test Command: ./proto/generate.sh && echo "Proto files generated"
Success Criteria:
- proto/*.proto files exist
- Python and Go stubs generated in backend/ and grpc-service/

### Phase 2: Go gRPC Service (Base Layer)
- Implement the OrderService server
Modules: grpc-service, backend
Test Command: cd grpc-service && go test ./...
Gotchas: the generated code must not be edited by hand

## Deployment
- not phases: ignored
`;

const BOLD = `## Implementation Phases

### Phase 1 — Models
**Modules:** \`app/models\`
**Test Command:** \`pytest tests/models\`
**Success Criteria:**
1. every model has created_at and updated_at
2. migrations run

\`\`\`python
### Phase 9: inside a code fence, not a heading
\`\`\`

### Phase 2. API
Modules: app/api
`;

const at = (file: string, text: string, offset: number) => new SourceText(file, text).position(offset);

describe('SPEC.md import', () => {
  it('reads phases, modules, test commands, criteria and gotchas', () => {
    const spec = parseSpec('SPEC.md', GRPC);
    expect(spec.diagnostics).toEqual([]);
    expect(spec.phases.map((p) => [p.id, p.description, p.tasks.map((t) => t.id), p.gates.map((g) => g.id)])).toEqual([
      ['phase-1', 'Proto Definitions & Setup', ['phase-1.proto'], ['phase-1-test']],
      ['phase-2', 'Go gRPC Service (Base Layer)', ['phase-2.grpc-service', 'phase-2.backend'], ['phase-2-test']],
    ]);
    const backend = spec.phases[1]!.tasks[1]!;
    expect(backend.agent.id).toBe('implementer');
    expect(backend.scope.touch).toEqual(['backend/**']);
    expect(backend.prompt).toContain("Your part is the module 'backend'");
    expect(backend.prompt).toContain('- Implement the OrderService server');
    expect(backend.prompt).toContain('Gotchas:\n- the generated code must not be edited by hand');
    expect(backend.prompt).toContain('passes: cd grpc-service && go test ./...');
    const proto = spec.phases[0]!.tasks[0]!;
    expect(proto.prompt).toContain('Success criteria:\n- proto/*.proto files exist\n- Python and Go stubs generated in backend/ and grpc-service/');
    expect(spec.gates.map((g) => [g.name, g.run])).toEqual([
      ['phase-1-test', { shell: './proto/generate.sh && echo "Proto files generated"' }],
      ['phase-2-test', { shell: 'cd grpc-service && go test ./...' }],
    ]);
    expect(at('SPEC.md', GRPC, spec.gates[1]!.loc.start)).toEqual({ line: 24, column: 15 });
  });

  it('accepts bold labels, backticks, numbered lists, dash and dot headings, and skips code fences', () => {
    const spec = parseSpec('SPEC.md', BOLD);
    expect(spec.diagnostics).toEqual([]);
    expect(spec.phases.map((p) => p.id)).toEqual(['phase-1', 'phase-2']);
    expect(spec.phases[0]!.tasks[0]!.scope.touch).toEqual(['app/models/**']);
    expect(spec.gates[0]!.run).toEqual({ shell: 'pytest tests/models' });
    expect(spec.phases[0]!.tasks[0]!.prompt).toContain('- every model has created_at and updated_at');
    expect(spec.phases[1]!.gates).toEqual([]);
  });

  it.each([
    ['no section', '# Title\n\n## Phases\n### Phase 1: A\nModules: a\n', 1, "no '## Implementation Phases' section"],
    [
      'a section with no phases',
      '# Plan\n## Implementation Phases\n\nJust prose.\n',
      2,
      "the '## Implementation Phases' section has no '### Phase N: Title' headings",
    ],
    ['a heading without a number', '## Implementation Phases\n### Phase One: Setup\nModules: a\n', 2, "expected a phase heading like '### Phase 2: Title'"],
    ['a phase without modules', '## Implementation Phases\n### Phase 1: Setup\n- do things\n', 2, "phase 1 has no 'Modules:' line"],
    ['an empty modules line', '## Implementation Phases\n### Phase 1: Setup\nModules:\n', 3, "'Modules:' lists no modules"],
    ['a module that is not a folder name', '## Implementation Phases\n### Phase 1: Setup\nModules: the backend\n', 3, "'the backend' is not a module name"],
    ['an empty test command', '## Implementation Phases\n### Phase 1: Setup\nModules: a\nTest Command:\n', 4, "'Test Command:' is empty"],
    ['a phase number used twice', '## Implementation Phases\n### Phase 1: A\nModules: a\n### Phase 1: B\nModules: b\n', 4, 'phase 1 is declared twice'],
  ])('reports %s at its SPEC.md line', (_name, text, line, message) => {
    const { diagnostics } = parseSpec('SPEC.md', text);
    expect(diagnostics.map((d) => [at('SPEC.md', text, d.loc!.start).line, d.message.slice(0, message.length)])).toEqual([[line, message]]);
  });

  it('combines spec phases with YAML phases; the spec test command gates its phase', async () => {
    const config = await configOf(
      `spec: docs/SPEC.md\nphases:\n  - id: setup\n    tasks:\n      - { id: scaffold, agent: claude, prompt: Scaffold the repo., scope: { touch: [Makefile] } }\n`,
      { 'docs/SPEC.md': GRPC },
    );
    expect(config.phases.map((p) => [p.id, p.origin])).toEqual([
      ['setup', 'config'],
      ['phase-1', 'spec'],
      ['phase-2', 'spec'],
    ]);
    const { graph } = compile(config);
    const edges = new Set(graph!.edges.map((e) => `${e.from} -> ${e.to}`));
    expect(edges.has('checkpoint:setup -> task:phase-1/phase-1.proto')).toBe(true);
    expect(edges.has('task:phase-2/phase-2.backend -> gate:phase-2/phase-2-test')).toBe(true);
  });
});
