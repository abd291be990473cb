import { z } from 'zod';
import { defineRpc } from './rpc';

/** The six services of the control plane; each answers its own health RPC. */
export const SERVICE_NAMES = ['gateway', 'router', 'tool-governor', 'memory-plane', 'slo-collector', 'auditor'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

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
