import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';

/**
 * `CP_PROVIDER_RESOLVE`: provider hosts pinned to addresses without DNS, like curl's `--resolve`
 * (`api.example.com=10.0.0.7,other.example.com=::1`), or blocked with `none`, which makes the host
 * unresolvable (ENOTFOUND) without asking any resolver. Any other host is looked up as usual.
 * Returns a description of the first bad entry instead of a map when the value is malformed.
 */
export function parseHostMap(value: string | undefined): Map<string, string | null> | string {
  const map = new Map<string, string | null>();
  for (const entry of (value ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const [host, addr, extra] = entry.split('=');
    if (extra !== undefined || !host || !addr || !/^[A-Za-z0-9.-]+$/.test(host)) return `entry "${entry.slice(0, 80)}" is not host=address`;
    if (addr !== 'none' && isIP(addr) === 0) return `entry for ${host}: "${addr.slice(0, 40)}" is neither an IP address nor none`;
    map.set(host.toLowerCase(), addr === 'none' ? null : addr);
  }
  return map;
}

/** A `net.connect` lookup that answers pinned and blocked hosts from the map and asks DNS for the rest. */
export function hostMapLookup(map: ReadonlyMap<string, string | null>): LookupFunction {
  return (hostname, options, callback) => {
    const key = hostname.toLowerCase();
    if (!map.has(key)) return dnsLookup(hostname, options, callback as never);
    const addr = map.get(key);
    if (addr === null || addr === undefined) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (blocked by CP_PROVIDER_RESOLVE)`), { code: 'ENOTFOUND', hostname });
      return (callback as (e: Error) => void)(err);
    }
    const family = isIP(addr);
    if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, [{ address: addr, family }]);
    (callback as (e: null, a: string, f: number) => void)(null, addr, family);
  };
}
