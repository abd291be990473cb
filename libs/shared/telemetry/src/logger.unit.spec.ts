import { processSecrets } from '@cp/shared/contracts';
import { createLogger } from './logger';

describe('createLogger', () => {
  it('Given a configured key and a key-shaped string in any field or in the message, When logged, Then the line holds neither and stays JSON', () => {
    processSecrets.add(['lg7Kq']);
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (line: string) => void lines.push(line) });
    const googleKey = `AIza${'Q'.repeat(35)}`;
    logger.error({ upstream: { detail: `provider said lg7Kq and ${googleKey}` }, apiKey: 'lg7Kq' }, 'call failed: lg7Kq');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/lg7Kq|AIzaQ/);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'error', msg: 'call failed: [redacted]', upstream: { detail: 'provider said [redacted] and [redacted]' }, apiKey: '[redacted]' });
  });
});
