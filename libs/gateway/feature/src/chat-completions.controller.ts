import { Body, Controller, Headers, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ChatCompletionRequest, ChatCompletionRequestWithoutTools } from '@cp/shared/contracts';
import { ApiKeyGuard } from './api-key.guard';
import { CompletionService } from './completion.service';
import { GATEWAY_CONFIG, type GatewayConfig } from './gateway-config';
import { parseBody } from './gateway-error';
import type { MemoryMode } from './memory-injector';

/** `POST /v1/chat/completions` in the OpenAI request and response format. */
@Controller('v1/chat')
@UseGuards(ApiKeyGuard)
export class ChatCompletionsController {
  constructor(
    @Inject(CompletionService) private readonly completions: CompletionService,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post('completions')
  async create(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply, @Headers('x-cp-memory') memoryHeader?: string): Promise<void> {
    // Tools the memo knew (validated when it learnt them) are not checked again: the rest of the body is.
    const memoTools = req.toolsFromMemo;
    const request: ChatCompletionRequest = memoTools ? { ...parseBody(ChatCompletionRequestWithoutTools, body), tools: memoTools as ChatCompletionRequest['tools'] } : parseBody(ChatCompletionRequest, body);
    // The edge's id (the client's own when it sent a sane one), already on every answer as x-request-id.
    const requestId = req.id;
    const memory = memoryMode(this.config, req.keyId, memoryHeader);
    if (request.stream === true) return this.completions.stream(requestId, request, reply, memory, req.traceContext);
    return this.completions.complete(requestId, request, reply, memory, req.traceContext);
  }
}

/**
 * Memory for one request: injected when the key is in `CP_MEMORY_KEYS` or the request says
 * `x-cp-memory: on` (`off` turns it off for a key that has it); learning only for keys in
 * `CP_MEMORY_LEARN_KEYS`. Undefined when neither applies, so the request does no memory work.
 */
export function memoryMode(config: Pick<GatewayConfig, 'CP_MEMORY_KEYS' | 'CP_MEMORY_LEARN_KEYS'>, keyId: string | undefined, header: string | undefined): MemoryMode | undefined {
  const listed = (sel: GatewayConfig['CP_MEMORY_KEYS']) => sel.all || (keyId !== undefined && sel.ids.has(keyId));
  const h = header?.trim().toLowerCase();
  const inject = h === 'on' ? true : h === 'off' ? false : listed(config.CP_MEMORY_KEYS);
  const learn = listed(config.CP_MEMORY_LEARN_KEYS);
  return inject || learn ? { inject, learn } : undefined;
}
