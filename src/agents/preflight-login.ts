import { ADAPTERS } from './adapters/index.js';
import { CANNOT_TELL, firstLine, setVar, type AgentRow, type Env, type ProbeResult } from './preflight-facts.js';
import { jsonLine, obj, str } from './types.js';
import type { Agent } from '../config/types.js';

// Is the agent's CLI logged in: each CLI's own status command where it has one, else keys and credential files by name.
/** Claude Code: `claude auth status` prints JSON with loggedIn (and exits 1 when not); older CLIs: the key or the credentials file. */
export function judgeClaudeLogin(agent: Agent, status: ProbeResult | undefined, env: Env, credentials: boolean): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const hint = ADAPTERS['claude-code'].loginHint;
  const parsed = status ? jsonLine(status.stdout) : undefined;
  if (parsed && typeof parsed['loggedIn'] === 'boolean') {
    const how = [parsed['authMethod'], parsed['apiKeySource']].filter((x) => typeof x === 'string' && x !== 'none').join(', ');
    return parsed['loggedIn']
      ? { ...row, ok: true, detail: `claude auth status: logged in${how ? ` (${how})` : ''}` }
      : { ...row, ok: false, detail: 'claude auth status: not logged in', fix: hint };
  }
  const key = setVar(env, ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN', 'CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX']);
  if (key) return { ...row, ok: true, detail: `${key} is set` };
  if (credentials) return { ...row, ok: true, detail: '~/.claude/.credentials.json is there' };
  return { ...row, ok: 'unknown', detail: `no ANTHROPIC_API_KEY, no ~/.claude/.credentials.json (a keychain login may still work): ${CANNOT_TELL}`, fix: hint };
}

/** Codex: `codex login status` exits 0 when logged in ("Logged in using …") and 1 with "Not logged in". */
export function judgeCodexLogin(agent: Agent, status: ProbeResult, env: Env): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const said = firstLine(status);
  if (status.code === 0) return { ...row, ok: true, detail: `codex login status: ${said || 'logged in'}` };
  const key = setVar(env, ['CODEX_API_KEY', 'OPENAI_API_KEY']);
  if (status.code === null || status.timedOut) {
    return key
      ? { ...row, ok: true, detail: `${key} is set (codex login status gave no answer)` }
      : { ...row, ok: 'unknown', detail: `codex login status gave no answer: ${CANNOT_TELL}` };
  }
  // A key in the environment serves `codex exec` (or a provider's env_key) without a login.
  if (key) return { ...row, ok: 'unknown', detail: `codex login status: ${said || 'not logged in'}; ${key} is set: ${CANNOT_TELL}` };
  return { ...row, ok: false, detail: `codex login status: ${said || `exit code ${status.code}`}`, fix: ADAPTERS.codex.loginHint };
}

/** Gemini: a key in the environment, or an auth type chosen in ~/.gemini/settings.json (its OAuth login leaves oauth_creds.json). */
export function judgeGeminiLogin(agent: Agent, env: Env, settings: string | undefined, oauthCreds: boolean): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const hint = ADAPTERS.gemini.loginHint;
  const key = setVar(env, ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_GENAI_USE_GCA']);
  if (key) return { ...row, ok: true, detail: `${key} is set` };
  const parsed = settings === undefined ? undefined : jsonLine(settings);
  if (settings !== undefined && !parsed) return { ...row, ok: 'unknown', detail: `~/.gemini/settings.json is not plain JSON: ${CANNOT_TELL}` };
  const security = parsed?.['security'];
  const auth = obj(security)?.['auth'];
  const type = str(obj(auth)?.['selectedType']);
  if (!type) return { ...row, ok: false, detail: 'no GEMINI_API_KEY and no security.auth.selectedType in ~/.gemini/settings.json', fix: hint };
  if (type === 'gemini-api-key') return { ...row, ok: false, detail: 'settings.json selects gemini-api-key but GEMINI_API_KEY is not set', fix: hint };
  if (type === 'oauth-personal')
    return oauthCreds
      ? { ...row, ok: true, detail: 'settings.json selects oauth-personal and ~/.gemini/oauth_creds.json is there' }
      : { ...row, ok: false, detail: 'settings.json selects oauth-personal but there is no ~/.gemini/oauth_creds.json', fix: hint };
  return { ...row, ok: 'unknown', detail: `settings.json selects ${type}: ${CANNOT_TELL}` };
}

/** Aider reads the key of whichever model it uses, from the environment, .env or .aider.conf.yml. */
export function judgeAiderLogin(agent: Agent, env: Env): AgentRow {
  const row = { agent: agent.id, check: 'login' as const };
  const key = setVar(env, ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GEMINI_API_KEY', 'DEEPSEEK_API_KEY', 'OPENROUTER_API_KEY']);
  return key
    ? { ...row, ok: true, detail: `${key} is set` }
    : {
        ...row,
        ok: 'unknown',
        detail: `no model API key in the environment (.env or .aider.conf.yml may have one): ${CANNOT_TELL}`,
        fix: ADAPTERS.aider.loginHint,
      };
}
