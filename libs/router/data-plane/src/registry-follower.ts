import { RegistryPublished } from '@cp/shared/contracts';
import { VersionFollower } from '@cp/shared/messaging';
import type { ServiceRuntime } from '@cp/shared/runtime';
import type { ProviderPlaneConfig } from './registry-loader';
import { validateRegistry, type RegistryVersion } from './registry-versions';

/**
 * A data-plane replica's side of registry distribution: every version the router publishes is
 * validated here again and, when it is new, handed to `apply` (the pipeline swaps it in; breakers
 * keep their state). A version that fails here is logged and skipped: the last good one stays.
 */
export class RegistryFollower extends VersionFollower<RegistryVersion> {
  constructor(rt: Pick<ServiceRuntime, 'bus' | 'logger'>, config: ProviderPlaneConfig, current: string, apply: (v: RegistryVersion) => void) {
    super(rt, current, { event: RegistryPublished, what: 'provider registry', parse: (yaml) => validateRegistry(yaml, config), apply });
  }
}
