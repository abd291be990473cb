import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from './gateway-error';

/**
 * Keys are checked at the edge, before the body is read (`installEdge`); this guard only makes a
 * controller's need for one explicit, and refuses a request the edge let through without a key.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.switchToHttp().getRequest<FastifyRequest>().authenticated !== true) throw new GatewayError(401, 'missing_api_key', 'invalid_request_error', 'missing bearer API key in the Authorization header');
    return true;
  }
}
