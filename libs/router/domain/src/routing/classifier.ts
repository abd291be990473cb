import type { ClassifierConfig } from './classifier-config';
import type { RequestFeatures } from './request-features';

export type Verdict = 'simple' | 'complex';

export interface Classification {
  verdict: Verdict;
  score: number;
  /** One entry per rule that fired, e.g. `keyword "refactor" (+2)`. */
  reasons: string[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiled once per keyword list (the registry's list lives as long as the router). */
const compiled = new WeakMap<string[], RegExp[]>();

function patternsOf(keywords: string[]): RegExp[] {
  let patterns = compiled.get(keywords);
  if (!patterns) {
    patterns = keywords.map((keyword) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(keyword)}`, 'iu'));
    compiled.set(keywords, patterns);
  }
  return patterns;
}

/** Keywords match at the start of a word, so "refactor" also catches "refactoring". */
export function findKeywords(text: string, keywords: string[]): string[] {
  const patterns = patternsOf(keywords);
  return keywords.filter((_, i) => patterns[i].test(text));
}

/**
 * Scores a request: each rule that fires adds its weight; score >= threshold is complex. Rules:
 * long last user message, many turns, tools declared, complex keywords, a fenced code block.
 */
export function classifyRequest(features: RequestFeatures, config: ClassifierConfig): Classification {
  const { weights } = config;
  const fired: { weight: number; reason: string }[] = [];
  const length = features.lastUserText.length;
  if (length >= config.longMessageChars) fired.push({ weight: weights.longMessage, reason: `long message (${length} chars >= ${config.longMessageChars})` });
  if (features.turns >= config.manyTurns) fired.push({ weight: weights.manyTurns, reason: `many turns (${features.turns} >= ${config.manyTurns})` });
  if (features.hasToolDeclarations) fired.push({ weight: weights.tools, reason: 'tools declared' });
  const keywords = findKeywords(features.lastUserText, config.keywords);
  if (keywords.length > 0) fired.push({ weight: weights.keyword, reason: `keyword ${keywords.map((k) => `"${k}"`).join(', ')}` });
  if (features.lastUserText.includes('```')) fired.push({ weight: weights.codeBlock, reason: 'code block' });
  const score = fired.reduce((sum, rule) => sum + rule.weight, 0);
  return {
    verdict: score >= config.threshold ? 'complex' : 'simple',
    score,
    reasons: fired.map((rule) => `${rule.reason} (+${rule.weight})`),
  };
}
