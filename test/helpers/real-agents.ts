/**
 * The environment that points the real Claude Code at the scripted model server (test/fixtures/model-server), quietly:
 * its own HOME and TMPDIR, no telemetry, update checks, error reports, non-essential traffic or retries of its own.
 */
export function claudeEnv(modelUrl: string, home: string, tmp: string): Record<string, string> {
  return {
    HOME: home,
    TMPDIR: tmp,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'x',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}
