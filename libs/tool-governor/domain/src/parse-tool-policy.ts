import { createHash } from 'node:crypto';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ToolPolicySchema, type ToolPolicy } from './policy.schema';

/** One problem of a policy file: where (`repair.classes[2]`) and what. */
export interface PolicyIssue {
  path: string;
  message: string;
}

/** The policy text is not a valid policy; the message names every bad path. */
export class InvalidToolPolicyError extends Error {
  readonly code = 'TOOLS.INVALID_POLICY';
  constructor(readonly issues: PolicyIssue[]) {
    super(`invalid tool policy: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'InvalidToolPolicyError';
  }
}

/** A validated policy, the text it came from and its version (a content hash, the same on every process). */
export interface ToolPolicyVersion {
  version: string;
  yaml: string;
  policy: ToolPolicy;
}

/** `['repair', 'classes', 2]` -> `repair.classes[2]`. */
function formatPath(path: readonly PropertyKey[]): string {
  const text = path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
  return text === '' ? '(root)' : text;
}

function zodIssues(error: z.ZodError): PolicyIssue[] {
  return error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
    return { path: formatPath(issue.path), message: `${issue.message}${keys}` };
  });
}

/**
 * Parses and validates the text of `config/tools.yaml`.
 * @throws InvalidToolPolicyError naming every bad path (YAML errors by line).
 */
export function parseToolPolicy(yamlText: string): ToolPolicyVersion {
  if (yamlText.trim() === '') throw new InvalidToolPolicyError([{ path: '(root)', message: 'the policy file is empty' }]);
  const doc = parseDocument(yamlText);
  if (doc.errors.length > 0) throw new InvalidToolPolicyError(doc.errors.map((e) => ({ path: `(yaml line ${e.linePos?.[0]?.line ?? '?'})`, message: e.message.split('\n')[0] ?? 'invalid YAML' })));
  const parsed = ToolPolicySchema.safeParse(doc.toJS());
  if (!parsed.success) throw new InvalidToolPolicyError(zodIssues(parsed.error));
  return { version: createHash('sha256').update(yamlText).digest('hex').slice(0, 16), yaml: yamlText, policy: parsed.data };
}
