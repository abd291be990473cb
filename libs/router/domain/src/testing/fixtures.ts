import type { ChatCompletionRequest } from '@cp/shared/contracts';
import type { AdapterContext } from '../adapters/adapter-context';
import { parseProviderRegistry } from '../registry/parse-provider-registry';
import type { ProviderRegistry } from '../registry/registry.types';

/** Test-only fixtures: a small registry covering every wire and capability gap. */
export const TEST_REGISTRY_YAML = `
version: 1
providers:
  - id: qwen
    wire: openai
    baseUrl: https://dashscope-intl.aliyuncs.com/compatible-mode/v1
    apiKeyEnv: DASHSCOPE_API_KEY
    models:
      - { id: qwen-turbo, capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 131072, maxOutput: 8192, pricePerMTok: { input: 0.05, output: 0.2 } }
      - { id: qwen3-235b-a22b, capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 131072, maxOutput: 16384, pricePerMTok: { input: 0.7, output: 2.8 } }
      - { id: qwen-vl, capabilities: { tools: false, vision: true, streaming: true, jsonMode: true }, contextWindow: 131072, maxOutput: 8192, pricePerMTok: { input: 2.8, output: 8.4 } }
  - id: openai
    wire: openai
    baseUrl: https://api.openai.com/v1
    apiKeyEnv: OPENAI_API_KEY
    models:
      - { id: gpt-4o, capabilities: { tools: true, vision: true, streaming: true, jsonMode: true }, contextWindow: 128000, maxOutput: 16384, pricePerMTok: { input: 2.5, output: 10 } }
  - id: claude
    wire: anthropic
    baseUrl: https://api.anthropic.com
    apiKeyEnv: ANTHROPIC_API_KEY
    timeouts: { totalMs: 60000 }
    models:
      - { id: claude-sonnet-4-5, capabilities: { tools: true, vision: true, streaming: true, jsonMode: false }, contextWindow: 200000, maxOutput: 64000, pricePerMTok: { input: 3, output: 15 } }
  - id: gemini
    wire: gemini
    baseUrl: https://generativelanguage.googleapis.com
    apiKeyEnv: GEMINI_API_KEY
    models:
      - { id: gemini-2.5-flash, capabilities: { tools: true, vision: true, streaming: true, jsonMode: true }, contextWindow: 1048576, maxOutput: 65536, pricePerMTok: { input: 0.3, output: 2.5 } }
  - id: local
    wire: openai
    baseUrl: http://127.0.0.1:11434/v1
    apiKeyEnv: LOCAL_LLM_API_KEY
    models:
      - { id: tiny, capabilities: { tools: false, vision: false, streaming: false, jsonMode: false }, contextWindow: 8192, maxOutput: 2048, pricePerMTok: { input: 0, output: 0 } }
      - { id: loner, capabilities: { tools: true, vision: false, streaming: true, jsonMode: true }, contextWindow: 8192, maxOutput: 2048, pricePerMTok: { input: 0, output: 0 } }
routes:
  fast: [qwen/qwen-turbo, gemini/gemini-2.5-flash, local/tiny]
  full: [qwen/qwen3-235b-a22b, claude/claude-sonnet-4-5, openai/gpt-4o]
  vision: [qwen/qwen-vl, gemini/gemini-2.5-flash, openai/gpt-4o]
defaults: { simple: fast, complex: full, vision: vision }
`;

export const SIM_URL = 'http://127.0.0.1:4010';

export function testRegistry(env: Record<string, string | undefined> = {}): ProviderRegistry {
  return parseProviderRegistry(TEST_REGISTRY_YAML, env, SIM_URL);
}

/** Fixed clock (2023-11-14T22:13:20Z) and sequential ids. */
export function testContext(nowMs = 1_700_000_000_000): AdapterContext {
  let next = 0;
  return { now: () => nowMs, newId: () => `id${++next}` };
}

export function chat(text: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: 'auto', messages: [{ role: 'user', content: text }], ...extra };
}
