import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { GatewayError } from './gateway-error';

const keyIds = new WeakMap<object, string>();

/** The id of the key a request was authenticated with (first 12 hex digits of its SHA-256), once the guard has passed it. */
export function keyIdOf(request: object): string | undefined {
  return keyIds.get(request);
}

/** Bearer keys from `CP_GATEWAY_KEYS`, compared in constant time over their digests. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.digests = config.CP_GATEWAY_KEYS.map(digest);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new GatewayError(401, 'missing_api_key', 'invalid_request_error', 'missing bearer API key in the Authorization header');
    const presented = digest(match[1]);
    let ok = false;
    for (const d of this.digests) ok = timingSafeEqual(d, presented) || ok;
    if (ok) keyIds.set(request, presented.toString('hex', 0, 6));
    if (!ok) throw new GatewayError(401, 'invalid_api_key', 'invalid_request_error', 'invalid API key');
    return true;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
