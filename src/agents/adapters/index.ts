import type { Adapter } from '../types.js';
import { aider } from './aider.js';
import { claudeCode } from './claude-code.js';
import { codex } from './codex.js';
import { gemini } from './gemini.js';

export const ADAPTERS: Readonly<Record<Adapter['name'], Adapter>> = { 'claude-code': claudeCode, codex, gemini, aider };
