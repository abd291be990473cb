import { chat } from '../testing/fixtures';
import { classifyRequest, findKeywords } from './classifier';
import { ClassifierConfigSchema, DEFAULT_CLASSIFIER_CONFIG } from './classifier-config';
import { requestFeatures } from './request-features';
import type { ChatCompletionRequest } from '@cp/shared/contracts';

const classify = (req: ChatCompletionRequest, config = DEFAULT_CLASSIFIER_CONFIG) => classifyRequest(requestFeatures(req), config);

const TOOL = { type: 'function' as const, function: { name: 'search_kb', parameters: { type: 'object' } } };

function conversation(turns: number): ChatCompletionRequest {
  const messages: ChatCompletionRequest['messages'] = Array.from({ length: turns }, (_, i) => (i % 2 === 0 ? { role: 'user' as const, content: `question ${i}` } : { role: 'assistant' as const, content: `answer ${i}` }));
  return { model: 'auto', messages: [{ role: 'system', content: 'be brief' }, ...messages] };
}

describe('classifyRequest', () => {
  describe('verdicts', () => {
    it('Given a short greeting, When classified, Then it is simple with score 0 and no reasons', () => {
      expect(classify(chat('hi, what time zone is Paris in?'))).toEqual({ verdict: 'simple', score: 0, reasons: [] });
    });

    it('Given a request to refactor, When classified, Then it is complex because of the keyword', () => {
      const result = classify(chat('Please refactor this module'));
      expect(result.verdict).toBe('complex');
      expect(result.reasons).toEqual(['keyword "refactor" (+2)']);
    });

    it('Given "step by step" in mixed case, When classified, Then the phrase matches', () => {
      expect(classify(chat('Walk me through it Step By Step')).verdict).toBe('complex');
    });

    it('Given a fenced code block, When classified, Then it is complex', () => {
      expect(classify(chat('what does this print?\n```js\nconsole.log(1)\n```')).reasons).toEqual(['code block (+2)']);
    });

    it('Given a 1500-character message, When classified, Then it is complex for its length', () => {
      const result = classify(chat('x'.repeat(1500)));
      expect(result).toMatchObject({ verdict: 'complex', score: 2 });
      expect(result.reasons[0]).toMatch(/^long message \(1500 chars >= 1500\)/);
    });

    it('Given 8 turns without other signals, When classified, Then many turns alone stay simple (score 1)', () => {
      expect(classify(conversation(8))).toMatchObject({ verdict: 'simple', score: 1 });
    });

    it('Given 8 turns and declared tools, When classified, Then the two weak signals add up to complex', () => {
      expect(classify({ ...conversation(8), tools: [TOOL] })).toMatchObject({ verdict: 'complex', score: 2 });
    });

    it('Given the keyword only in an earlier message, When classified, Then only the last user message counts', () => {
      const req: ChatCompletionRequest = { model: 'auto', messages: [{ role: 'user', content: 'analyze this' }, { role: 'assistant', content: 'done' }, { role: 'user', content: 'thanks' }] };
      expect(classify(req).verdict).toBe('simple');
    });
  });

  describe('configuration', () => {
    it('Given a threshold of 5, When a keyword fires, Then the request stays simple', () => {
      const config = ClassifierConfigSchema.parse({ threshold: 5 });
      expect(classify(chat('prove it'), config)).toMatchObject({ verdict: 'simple', score: 2 });
    });

    it('Given custom keywords, When one appears, Then it fires and the defaults no longer do', () => {
      const config = ClassifierConfigSchema.parse({ keywords: ['translate'] });
      expect(classify(chat('translate this'), config).verdict).toBe('complex');
      expect(classify(chat('refactor this'), config).verdict).toBe('simple');
    });

    it('Given an unknown classifier key, When parsed, Then the config is rejected', () => {
      expect(ClassifierConfigSchema.safeParse({ treshold: 3 }).success).toBe(false);
    });
  });
});

describe('findKeywords', () => {
  it('Given keywords, When matched, Then they match at a word start only', () => {
    expect(findKeywords('refactoring the approval flow', ['refactor', 'prove'])).toEqual(['refactor']);
  });
});
