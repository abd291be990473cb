import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { NoCapableProviderError, UnknownModelError } from '../errors/domain-errors';
import { chat, testRegistry } from '../testing/fixtures';
import { chooseRoute } from './choose-route';

const registry = testRegistry();
const IMAGE = { type: 'image_url' as const, image_url: { url: 'https://example.com/cat.png' } };
const TOOL = { type: 'function' as const, function: { name: 'search_kb', parameters: { type: 'object' } } };
const refs = (...names: string[]) => names.map((n) => ({ provider: n.split('/')[0], model: n.split('/')[1] }));

function withImage(model = 'auto'): ChatCompletionRequest {
  return { model, messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, IMAGE] }] };
}

describe('chooseRoute', () => {
  describe('auto', () => {
    it('Given a simple question, When routed, Then the fast route is used and the classification recorded', () => {
      const decision = chooseRoute(chat('hello'), registry);
      expect(decision).toMatchObject({ requested: 'auto', route: 'fast', candidates: refs('qwen/qwen-turbo', 'gemini/gemini-2.5-flash', 'local/tiny'), filtered: [] });
      expect(decision.classification).toEqual({ verdict: 'simple', score: 0, reasons: [] });
      expect(decision.reason).toBe('classified simple (score 0: no complexity signal)');
    });

    it('Given a complex request, When routed, Then the full route is used', () => {
      const decision = chooseRoute(chat('analyze the trade-off step by step'), registry);
      expect(decision.route).toBe('full');
      expect(decision.classification?.verdict).toBe('complex');
      expect(decision.candidates).toEqual(refs('qwen/qwen3-235b-a22b', 'claude/claude-sonnet-4-5', 'openai/gpt-4o'));
    });

    it('Given an image part, When routed, Then the vision route is used without classification', () => {
      const decision = chooseRoute(withImage(), registry);
      expect(decision).toMatchObject({ route: 'vision', reason: 'request contains images', required: ['vision'] });
      expect(decision.classification).toBeUndefined();
      expect(decision.candidates[0]).toEqual({ provider: 'qwen', model: 'qwen-vl' });
    });

    it('Given a complex request under a stricter classifier config, When routed, Then the passed config wins', () => {
      const decision = chooseRoute(chat('refactor this'), registry, { ...registry.classifier, threshold: 10 });
      expect(decision.route).toBe('fast');
    });
  });

  describe('explicit model', () => {
    it('Given "gpt-4o", When routed, Then openai goes first, followed by the other candidates of its route', () => {
      const decision = chooseRoute(chat('hello', { model: 'gpt-4o' }), registry);
      expect(decision.route).toBe('full');
      expect(decision.candidates).toEqual(refs('openai/gpt-4o', 'qwen/qwen3-235b-a22b', 'claude/claude-sonnet-4-5'));
      expect(decision.reason).toBe('explicit model openai/gpt-4o, then the fallbacks of route "full"');
    });

    it('Given "openai/gpt-4o" with an image, When routed, Then the fallbacks come from the vision route', () => {
      const decision = chooseRoute(withImage('openai/gpt-4o'), registry);
      expect(decision.route).toBe('vision');
      expect(decision.candidates).toEqual(refs('openai/gpt-4o', 'qwen/qwen-vl', 'gemini/gemini-2.5-flash'));
    });

    it('Given a model that is in no route, When routed, Then it falls back along the route auto would choose', () => {
      const decision = chooseRoute(chat('hello', { model: 'loner' }), registry);
      expect(decision.route).toBe('fast');
      expect(decision.candidates).toEqual(refs('local/loner', 'qwen/qwen-turbo', 'gemini/gemini-2.5-flash', 'local/tiny'));
      expect(decision.reason).toMatch(/is in no route; falling back along "fast"/);
    });

    it('Given a route name as model, When routed, Then that route is used as is', () => {
      expect(chooseRoute(chat('analyze this', { model: 'fast' }), registry)).toMatchObject({ route: 'fast', reason: 'route "fast" requested by name' });
    });

    it('Given an unknown model, When routed, Then UnknownModelError with code ROUTER.UNKNOWN_MODEL is thrown', () => {
      expect(() => chooseRoute(chat('hello', { model: 'gpt-9' }), registry)).toThrow(UnknownModelError);
      expect(() => chooseRoute(chat('hello', { model: 'openai/gpt-9' }), registry)).toThrow(expect.objectContaining({ code: 'ROUTER.UNKNOWN_MODEL', httpStatus: 404 }));
    });
  });

  describe('capability filtering', () => {
    it('Given tools on a simple request, When routed, Then the model without tools is filtered out with a reason', () => {
      const decision = chooseRoute(chat('hello', { tools: [TOOL] }), registry, { ...registry.classifier, threshold: 5 });
      expect(decision.candidates).toEqual(refs('qwen/qwen-turbo', 'gemini/gemini-2.5-flash'));
      expect(decision.filtered).toEqual([{ provider: 'local', model: 'tiny', reason: 'lacks tools' }]);
    });

    it('Given a streamed request with a tool result in the history, When routed to fast, Then tiny is filtered for tools and streaming', () => {
      const req: ChatCompletionRequest = {
        model: 'fast',
        stream: true,
        messages: [
          { role: 'user', content: 'weather?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
        ],
      };
      expect(chooseRoute(req, registry).filtered).toEqual([{ provider: 'local', model: 'tiny', reason: 'lacks tools, streaming' }]);
    });

    it('Given JSON mode on the full route, When routed, Then claude is filtered for jsonMode', () => {
      const decision = chooseRoute(chat('analyze', { response_format: { type: 'json_object' } }), registry);
      expect(decision.filtered).toEqual([{ provider: 'claude', model: 'claude-sonnet-4-5', reason: 'lacks jsonMode' }]);
    });

    it('Given an explicit model lacking a capability, When routed, Then it is filtered and its fallbacks remain', () => {
      const decision = chooseRoute(chat('hello', { model: 'tiny', stream: true }), registry);
      expect(decision.candidates).toEqual(refs('qwen/qwen-turbo', 'gemini/gemini-2.5-flash'));
      expect(decision.filtered).toEqual([{ provider: 'local', model: 'tiny', reason: 'lacks streaming' }]);
    });

    it('Given images and tools on the vision route, When routed, Then qwen-vl is filtered and the rest serve', () => {
      const req: ChatCompletionRequest = { ...withImage(), tools: [TOOL] };
      expect(chooseRoute(req, registry).filtered).toEqual([{ provider: 'qwen', model: 'qwen-vl', reason: 'lacks tools' }]);
    });

    it('Given a route where no model qualifies, When routed, Then NoCapableProviderError carries the decision', () => {
      const only = testRegistry();
      only.routes.tiny = [{ provider: 'local', model: 'tiny' }];
      let caught: unknown;
      try {
        chooseRoute(chat('hello', { model: 'tiny', stream: true, tools: [TOOL] }), { ...only, routes: { tiny: only.routes.tiny } });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(NoCapableProviderError);
      expect(caught).toMatchObject({ code: 'ROUTER.NO_CAPABLE_PROVIDER', decision: { candidates: [], filtered: [{ provider: 'local', model: 'tiny', reason: 'lacks tools, streaming' }] } });
    });
  });
});
