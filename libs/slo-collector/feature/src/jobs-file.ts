import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { JobRegistryError, parseJobRegistry, type JobSpec } from '@cp/slo-collector/domain';

export const DEFAULT_JOBS_FILE = 'config/jobs.yaml';

/**
 * Reads the job registry. The default file may be absent (no jobs); a file named in `CP_JOBS_FILE`
 * must exist. Any invalid entry refuses the whole registry with a message naming it, so the
 * collector does not start on a registry it cannot honour.
 */
export function loadJobs(file: string | undefined): JobSpec[] {
  const path = file ?? DEFAULT_JOBS_FILE;
  if (!existsSync(path)) {
    if (file) throw new JobRegistryError(`${path}: job registry not found`);
    return [];
  }
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new JobRegistryError(`${path}: not valid YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
  return parseJobRegistry(doc, path);
}
