import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateTokens } from './token-estimate';
import { tiktokenCounter, tiktokenEncodingFor } from './tokenizer';

describe('tiktokenEncodingFor', () => {
  it.each([
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini', 'o200k_base'],
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['gpt-4.1', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['o3', 'o200k_base'],
    ['o4-mini', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['qwen3-235b-a22b', undefined],
    ['claude-sonnet-4-5', undefined],
    ['gemini-2.5-pro', undefined],
    ['omni-model', undefined],
  ])('given %s, then the encoding is %p', (model, encoding) => {
    expect(tiktokenEncodingFor(model)).toBe(encoding);
  });
});

describe('the tiktoken counter', () => {
  it('given plain text, then it counts what tiktoken counts', async () => {
    const counter = await tiktokenCounter('o200k_base');
    expect(counter.count('hello world')).toBe(2);
    expect(counter.name).toBe('tiktoken:o200k_base');
  });

  it('given special-token text from a client, then it is counted as text, not refused', async () => {
    const counter = await tiktokenCounter('o200k_base');
    expect(counter.count('end <|endoftext|> here')).toBeGreaterThan(3);
  });

  it('given a 100,000-letter word (quadratic for BPE), then it is counted at 2 characters per token without the tokenizer', async () => {
    const counter = await tiktokenCounter('o200k_base');
    expect(counter.count(`start ${'a'.repeat(100_000)} end`)).toBe(counter.count('start ') + 50_000 + counter.count(' end'));
  });

  it('given a long document, then counting it in chunks gives the tokenizer\'s count within 1 %', async () => {
    const counter = await tiktokenCounter('o200k_base');
    const text = readFileSync(join(__dirname, '../../../../docs/routing.md'), 'utf8');
    const { Tiktoken } = await import('js-tiktoken/lite');
    const whole = new Tiktoken((await import('js-tiktoken/ranks/o200k_base')).default).encode(text, [], []).length;
    expect(Math.abs(counter.count(text) - whole) / whole).toBeLessThan(0.01);
  });
});

describe('estimateTokens', () => {
  it.each(['docs/routing.md', 'libs/router/data-plane/src/completion-pipeline.ts', 'package-lock.json'])('given %s, then the calibrated estimate is within 20 %% of o200k_base', async (file) => {
    const counter = await tiktokenCounter('o200k_base');
    const text = readFileSync(join(__dirname, '../../../..', file), 'utf8').slice(0, 20_000);
    const exact = counter.count(text);
    expect(Math.abs(estimateTokens(text) - exact) / exact).toBeLessThan(0.2);
  });
});
