/**
 * Container healthcheck for services without HTTP: exits 0 when `<service>` answers its health RPC
 * over NATS within two seconds. Usage: node health-probe.js <service>
 */
import { BaseConfigSchema, loadConfig } from '@cp/shared/config';
import { healthRpc } from '@cp/shared/contracts';
import { trace } from '@cp/shared/telemetry';
import { NatsBus } from '../nats-bus';

async function main(): Promise<number> {
  const service = process.argv[2];
  if (!service) {
    process.stderr.write('usage: health-probe <service>\n');
    return 2;
  }
  const config = loadConfig(BaseConfigSchema);
  const bus = await NatsBus.connect({ servers: config.CP_NATS_URL, service: 'health-probe', namespace: config.CP_NATS_NAMESPACE, stream: config.CP_EVENTS_STREAM, tracer: trace.getTracer('health-probe') });
  try {
    const reply = await bus.request(healthRpc(service), {}, 2000);
    process.stdout.write(JSON.stringify(reply) + '\n');
    return reply.status === 'up' ? 0 : 1;
  } finally {
    await bus.close(100);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
