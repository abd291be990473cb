import type { ChatCompletionRequest } from '@cp/shared/contracts';
import type { ShapingConfig, ShapingLevel } from './shaping-config';

/** The model a request is about to be sent to, as shaping needs to know it (from the provider registry). */
export interface ShapingTarget {
  provider: string;
  model: string;
  wire: 'openai' | 'anthropic' | 'gemini';
  contextWindow: number;
  maxOutput: number;
}

/** What a candidate leaves for the request's input: its window minus the output it may produce minus the margin. */
export interface Budget {
  budgetTokens: number;
  contextWindow: number;
  outputTokens: number;
  marginTokens: number;
}

export function budgetFor(target: ShapingTarget, request: ChatCompletionRequest, config: ShapingConfig): Budget {
  const asked = request.max_completion_tokens ?? request.max_tokens ?? target.maxOutput;
  const outputTokens = Math.min(asked, target.maxOutput);
  // A small model (a test's 1,000-token window) keeps most of its window: the margin is at most a tenth of it.
  const marginTokens = Math.min(config.marginTokens, Math.floor(target.contextWindow / 10));
  const budgetTokens = Math.max(0, target.contextWindow - outputTokens - marginTokens);
  return { budgetTokens, contextWindow: target.contextWindow, outputTokens, marginTokens };
}

/** The level a request of `tokens` needs under `budget`: above the moderate threshold moderate, above the aggressive one aggressive. */
export function levelFor(tokens: number, budgetTokens: number, config: ShapingConfig): ShapingLevel {
  if (tokens > budgetTokens * config.thresholds.aggressive) return 'aggressive';
  if (tokens > budgetTokens * config.thresholds.moderate) return 'moderate';
  return 'none';
}

/** The size a level shapes down to: a fraction of the budget, and the level's byte cap when byte caps are on. */
export function targetFor(level: ShapingLevel, budgetTokens: number, config: ShapingConfig): { tokens: number; bytes: number } {
  const tokens = level === 'none' ? budgetTokens : Math.floor(budgetTokens * config.targets[level]);
  return { tokens, bytes: config.byteCaps ? config.byteCaps[level] : Number.POSITIVE_INFINITY };
}

export function formatTarget(target: ShapingTarget): string {
  return `${target.provider}/${target.model}`;
}
