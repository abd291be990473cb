import { contentWords } from './text';

/** A preference stated in a user message. */
export interface ExtractedPreference {
  /** What the preference is about, normalised (`typescript`, `metric units`): the key a newer statement supersedes by. */
  subject: string;
  /** The sentence it was stated in, trimmed. */
  statement: string;
  polarity: 'positive' | 'negative';
  confidence: number;
  /** Which rule found it. */
  rule: 'prefer' | 'always' | 'never' | 'dont' | 'please-use';
}

interface Rule {
  rule: ExtractedPreference['rule'];
  pattern: RegExp;
  polarity: ExtractedPreference['polarity'];
  confidence: number;
}

/** Checked in order; the first that matches a sentence wins. Group 1 is the object of the preference. */
const RULES: Rule[] = [
  { rule: 'prefer', pattern: /\bI(?:'d| would)? (?:really )?prefer\s+(.+)/i, polarity: 'positive', confidence: 0.8 },
  { rule: 'never', pattern: /\b(?:please\s+)?never\s+(.+)/i, polarity: 'negative', confidence: 0.9 },
  { rule: 'dont', pattern: /\b(?:please\s+)?(?:don'?t|do not)\s+(?!know\b|think\b|understand\b|see\b|have\b)(.+)/i, polarity: 'negative', confidence: 0.7 },
  { rule: 'always', pattern: /\b(?:please\s+)?always\s+(.+)/i, polarity: 'positive', confidence: 0.9 },
  { rule: 'please-use', pattern: /\bplease use\s+(.+)/i, polarity: 'positive', confidence: 0.75 },
];

/** Verbs and fillers before the object of a preference (`use`, `write in`, `the`). */
const LEAD = /^(?:to\s+)?(?:(?:use|using|write|writing|answer|answering|reply|replying|respond|responding|give|giving|show|showing|format|call|add|include|put|mention|suggest)\s+)?(?:(?:in|with|using|me|us)\s+)?(?:(?:the|a|an)\s+)?/i;

const MAX_SENTENCES = 50;
const MAX_SENTENCE_CHARS = 500;

/**
 * Finds preferences in a user message: "I prefer X", "always X", "never X", "don't X", "please
 * use X", one per sentence at most. Questions are skipped ("do you always...?"). Bounded: at most
 * 50 sentences of at most 500 characters are looked at.
 */
export function extractPreferences(message: string): ExtractedPreference[] {
  const out: ExtractedPreference[] = [];
  const sentences = message.split(/(?<=[.!?;\n])\s+/).slice(0, MAX_SENTENCES);
  for (const raw of sentences) {
    const sentence = raw.trim().slice(0, MAX_SENTENCE_CHARS);
    if (!sentence || sentence.endsWith('?')) continue;
    for (const r of RULES) {
      const m = r.pattern.exec(sentence);
      if (!m) continue;
      const subject = subjectOf(m[1]);
      if (subject) out.push({ subject, statement: sentence.replace(/\s+/g, ' '), polarity: r.polarity, confidence: r.confidence, rule: r.rule });
      break;
    }
  }
  return out;
}

/** The first one to three content words of the object, before `over`/`instead of`/`because`/`when`. */
export function subjectOf(object: string): string {
  const main = object.split(/\b(?:over|rather than|instead of|because|since|when|unless|if|for|so that|but)\b|[,.;:!]/i)[0] ?? '';
  return contentWords(main.replace(LEAD, '')).slice(0, 3).join(' ');
}

/** A stored preference, as the supersede rule sees it. */
export interface PreferenceRecord {
  id: string;
  subject: string;
  createdAt: string;
  supersededBy: string | null;
}

/**
 * Newer supersedes older on the same subject: returns the ids of active records that `incoming`
 * (stated at `incomingAt`) replaces. An older statement arriving late supersedes nothing.
 */
export function supersededBy(incoming: { subject: string; at: string }, existing: readonly PreferenceRecord[]): string[] {
  const at = Date.parse(incoming.at);
  return existing.filter((p) => p.supersededBy === null && p.subject === incoming.subject && Date.parse(p.createdAt) <= at).map((p) => p.id);
}
