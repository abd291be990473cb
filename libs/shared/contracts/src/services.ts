import { z } from 'zod';
import { defineRpc } from './rpc';

/** The six services of the control plane; each answers its own health RPC. */
export const SERVICE_NAMES = ['gateway', 'router', 'tool-governor', 'memory-plane', 'slo-collector', 'auditor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Node flags every service runs with (supervisor, the test stack, docker-compose and the Dockerfile
 * all start `node <flags> dist/apps/<service>/src/main.js`). `--max-semi-space-size=4`: V8's young
 * generation grows to 2 x 16 MiB under load by default, most of a service's growth above its
 * module-load footprint; 4 MiB semi-spaces keep each service under the 150 MiB target at the price
 * of more (cheap) scavenges, measured in docs/performance.md.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

export const HealthReply = z.object({
  service: z.string(),
  status: z.enum(['up', 'degraded']),
  version: z.string(),
  gitSha: z.string(),
  uptimeMs: z.number(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type HealthReply = z.infer<typeof HealthReply>;

export const healthRpc = (service: ServiceName | string) => defineRpc(service, 'health', 1, z.object({}).loose(), HealthReply);
