import { z } from 'zod';
import { BaseConfigSchema, ConfigError, csv, loadConfig, port } from './index';

describe('loadConfig', () => {
  const schema = z.object({ CP_PORT: port(8080), CP_KEYS: csv().pipe(z.array(z.string().min(8)).min(1)) });

  it('given valid variables, then it returns typed values with defaults', () => {
    expect(loadConfig(schema, { CP_KEYS: 'abcdefgh, ijklmnop' })).toEqual({ CP_PORT: 8080, CP_KEYS: ['abcdefgh', 'ijklmnop'] });
  });

  it('given a bad variable, then the error names the key but never echoes the value', () => {
    let caught: unknown;
    try {
      loadConfig(schema, { CP_PORT: 'eighty', CP_KEYS: 'sekrit7' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as Error).message;
    expect(message).toContain('CP_PORT');
    expect(message).toContain('CP_KEYS');
    expect(message).not.toContain('sekrit7');
  });

  it('given an empty string, then it counts as unset and the default applies', () => {
    expect(loadConfig(BaseConfigSchema, { CP_NATS_URL: '' }).CP_NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('given a malformed NATS url, then it is refused at boot', () => {
    expect(() => loadConfig(BaseConfigSchema, { CP_NATS_URL: 'http://x' })).toThrow(/CP_NATS_URL/);
  });

  it('given no events linger, then 20 ms applies; 0 is allowed and a negative one is refused at boot', () => {
    expect(loadConfig(BaseConfigSchema, {}).CP_EVENTS_LINGER_MS).toBe(20);
    expect(loadConfig(BaseConfigSchema, { CP_EVENTS_LINGER_MS: '0' }).CP_EVENTS_LINGER_MS).toBe(0);
    expect(() => loadConfig(BaseConfigSchema, { CP_EVENTS_LINGER_MS: '-5' })).toThrow(/CP_EVENTS_LINGER_MS/);
  });
});

describe('BaseConfigSchema: the span batches of the OTLP export', () => {
  it('given no OTEL_BSP_* variable, then our defaults: every 200 ms, 512 spans per export, 8192 queued at most', () => {
    expect(loadConfig(BaseConfigSchema, {})).toMatchObject({ OTEL_BSP_SCHEDULE_DELAY: 200, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 512, OTEL_BSP_MAX_QUEUE_SIZE: 8192 });
  });

  it('given the standard variables, then they win', () => {
    expect(loadConfig(BaseConfigSchema, { OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64', OTEL_BSP_MAX_QUEUE_SIZE: '2048' })).toMatchObject({ OTEL_BSP_SCHEDULE_DELAY: 50, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 64, OTEL_BSP_MAX_QUEUE_SIZE: 2048 });
  });

  it.each(['0', '-5', '1.5', 'many'])('given OTEL_BSP_MAX_EXPORT_BATCH_SIZE=%j, then it is refused at boot, naming the variable', (value) => {
    expect(() => loadConfig(BaseConfigSchema, { OTEL_BSP_MAX_EXPORT_BATCH_SIZE: value })).toThrow(/OTEL_BSP_MAX_EXPORT_BATCH_SIZE/);
  });
});
