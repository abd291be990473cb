import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { loadConfig } from '@cp/shared/config';
import { AuditReplay, ToolPolicyPublished } from '@cp/shared/contracts';
import type { ServiceRuntime } from '@cp/shared/runtime';
import { DEFAULT_TOOL_POLICY, parseToolPolicy, type ToolPolicyVersion } from '@cp/tool-governor/domain';
import { z } from 'zod';

/** Read by tool-governor (the file's owner) and by every gateway (its copy at boot): one variable. */
export const ToolPolicyConfigSchema = z.object({
  CP_TOOLS_FILE: z.string().default('config/tools.yaml'),
});
export type ToolPolicyConfig = z.infer<typeof ToolPolicyConfigSchema>;

export function toolPolicyFile(config: ToolPolicyConfig = loadConfig(ToolPolicyConfigSchema)): string {
  return isAbsolute(config.CP_TOOLS_FILE) ? config.CP_TOOLS_FILE : join(process.cwd(), config.CP_TOOLS_FILE);
}

/** The built-in policy (every client tool allowed), for a process that has nothing better. */
export const DEFAULT_POLICY_VERSION: ToolPolicyVersion = { version: 'default', yaml: 'version: 1\n', policy: DEFAULT_TOOL_POLICY };

/** The file's policy; throws the error that names what is wrong with it. */
export function readToolPolicyFile(file: string): ToolPolicyVersion {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the tool policy ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseToolPolicy(text);
}

/** The newest policy tool-governor published, from the store; undefined when there is none or the auditor does not answer. */
export async function lastPublishedPolicy(rt: ServiceRuntime, timeoutMs = 3000): Promise<ToolPolicyVersion | undefined> {
  try {
    const { events } = await rt.bus.request(AuditReplay, { type: ToolPolicyPublished.type, latestPerStream: true }, timeoutMs);
    const payload = events.length > 0 ? ToolPolicyPublished.schema.safeParse(events.at(-1)!.payload) : undefined;
    return payload?.success ? parseToolPolicy(payload.data.yaml) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The policy a process starts with: the file when it is valid; else the last version tool-governor
 * published (from the store); else the built-in default. A broken file is logged, never fatal:
 * the tool policy must not stop completions.
 */
export async function loadStartingPolicy(rt: ServiceRuntime, file = toolPolicyFile()): Promise<ToolPolicyVersion> {
  try {
    return readToolPolicyFile(file);
  } catch (err) {
    const last = await lastPublishedPolicy(rt);
    rt.logger.error({ file, err: err instanceof Error ? err.message.slice(0, 500) : String(err), using: last?.version ?? 'default' }, 'the tool policy file is not usable; using the last published version or the default');
    return last ?? DEFAULT_POLICY_VERSION;
  }
}
