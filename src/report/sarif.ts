import { orchestraVersion } from '../util/version.js';
import type { RunResults } from './results.js';

/** Findings as SARIF 2.1.0, for code scanning (GitHub's upload-sarif and the like). */
export function sarifReport(run: RunResults): string {
  const findings = run.results.flatMap((r) => r.findings);
  const ruleIds = [...new Set(findings.map((f) => f.rule))].sort();
  const messages = new Map(findings.map((f) => [f.rule, f.message]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'orchestra',
            version: orchestraVersion(),
            rules: ruleIds.map((id) => ({ id, shortDescription: { text: messages.get(id) ?? id } })),
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `file://${run.root.endsWith('/') ? run.root : `${run.root}/`}` } },
        results: findings.map((f) => ({
          ruleId: f.rule,
          ruleIndex: ruleIds.indexOf(f.rule),
          level: f.severity === 'error' ? 'error' : 'warning',
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.file, uriBaseId: 'SRCROOT' },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
