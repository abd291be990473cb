import { Body, Controller, Get, HttpCode, Inject, Param, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Identifier, RouterMatrix, RouterModels, RouterProbe, type MatrixEntry, type MatrixReply, type ModelsReply, type RpcDefinition, type RpcError } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { excerpt } from './edge/edge-error';
import { GatewayError, parseBody, routerUnavailable } from './gateway-error';

/** An entry of OpenAI's model list. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

/** Who owns the names the control plane itself resolves (`auto` and the route names). */
const ALIAS_OWNER = 'control-plane';
const CATALOG_TIMEOUT_MS = 5_000;
/** A probe run calls every provider several times with short timeouts; give it room. */
const PROBE_TIMEOUT_MS = 120_000;

const ProbeBody = z.strictObject({ provider: Identifier(100).optional(), model: Identifier(200).optional() });

/**
 * `GET /v1/models` in OpenAI's list format (every registry model as `provider/model`, plus `auto`
 * and the route names), `GET /v1/models/{id}`, and the compatibility matrix:
 * `GET /v1/providers/matrix` (as last probed) and `POST /v1/providers/probe` (probe now).
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class ModelsController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Get('models')
  async list(): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    return { object: 'list', data: openAiModels(succeeded(await this.ask(RouterModels, {}, CATALOG_TIMEOUT_MS))) };
  }

  @Get('models/:id')
  retrieve(@Param('id') id: string): Promise<OpenAiModel> {
    return this.find(id);
  }

  /** `provider/model` without URL-encoding the slash. */
  @Get('models/:provider/:model')
  retrieveQualified(@Param('provider') provider: string, @Param('model') model: string): Promise<OpenAiModel> {
    return this.find(`${provider}/${model}`);
  }

  @Get('providers/matrix')
  async matrix(): Promise<{ object: 'list'; generated_at: string; data: MatrixEntry[] }> {
    return matrixList(succeeded(await this.ask(RouterMatrix, {}, CATALOG_TIMEOUT_MS)));
  }

  @Post('providers/probe')
  @HttpCode(200)
  async probe(@Body() body: unknown, @Req() req: FastifyRequest): Promise<{ object: 'list'; generated_at: string; data: MatrixEntry[] }> {
    const probe = parseBody(ProbeBody, body ?? {});
    // The probe events in the ledger carry the request's id (its x-request-id) as their correlation id.
    return matrixList(succeeded(await this.ask(RouterProbe, { requestId: req.id, ...probe }, PROBE_TIMEOUT_MS)));
  }

  private async find(id: string): Promise<OpenAiModel> {
    const model = openAiModels(succeeded(await this.ask(RouterModels, {}, CATALOG_TIMEOUT_MS))).find((m) => m.id === id);
    if (!model) throw new GatewayError(404, 'model_not_found', 'invalid_request_error', `the model "${excerpt(id)}" does not exist`, 'model');
    return model;
  }

  /** One catalog RPC to the router; a silent router becomes an OpenAI-shaped error. */
  private async ask<Req extends z.ZodType, Rep extends z.ZodType>(rpc: RpcDefinition<Req, Rep>, payload: z.infer<Req>, timeoutMs: number): Promise<z.infer<Rep>> {
    try {
      return await this.bus.request(rpc, payload, timeoutMs);
    } catch (err) {
      throw routerUnavailable(err);
    }
  }
}

/** The router's error reply, mapped once to the OpenAI error shape. */
function succeeded<T extends { ok: true }>(reply: T | { ok: false; error: RpcError }): T {
  if (reply.ok === false) throw new GatewayError(reply.error.status, reply.error.code, reply.error.type, reply.error.message);
  return reply;
}

/** Aliases first (`auto`, then the routes in file order), then every model as `provider/model`. */
export function openAiModels(reply: Extract<ModelsReply, { ok: true }>): OpenAiModel[] {
  const created = reply.loadedAt;
  const aliases = ['auto', ...Object.keys(reply.routes)].map((id): OpenAiModel => ({ id, object: 'model', created, owned_by: ALIAS_OWNER }));
  const models = reply.models.map((m): OpenAiModel => ({ id: `${m.provider}/${m.model}`, object: 'model', created, owned_by: m.provider }));
  return [...aliases, ...models];
}

function matrixList(reply: Extract<MatrixReply, { ok: true }>) {
  return { object: 'list' as const, generated_at: reply.generatedAt, data: reply.entries };
}
