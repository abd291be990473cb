import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Put, Query, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Embed, EmbedRequest, KbDelete, KbIngest, KbIngestRequest, KbList, MAX_DOCUMENT_BYTES, MemoryQuery, MemoryQueryRequest, PrefCreate, PrefDelete, PreferenceCreateRequest, PreferencePatchRequest, PrefList, PrefUpdate, StatusGet, StatusPut, StatusPutRequest } from '@cp/shared/contracts';
import { NatsBus } from '@cp/shared/messaging';
import { z } from 'zod';
import { ApiKeyGuard } from './api-key.guard';
import { GatewayError, parseBody } from './gateway-error';
import { askMemory } from './memory-client';

const Id = z.uuid();
const ListQuery = z.object({ limit: z.coerce.number().int().positive().max(1000).optional(), offset: z.coerce.number().int().nonnegative().max(1e9).optional() });
const PrefListQuery = z.object({ all: z.enum(['true', 'false']).optional() });
const QUICK_MS = 5_000;
const INGEST_MS = 60_000;

/**
 * The memory plane's routes, forwarded over NATS: the knowledge base (`/v1/kb/documents`),
 * preferences, operational status, the cross-layer query, and `POST /v1/embeddings` in the
 * OpenAI shape. Bodies are validated here; what the memory plane refuses comes back as the same
 * error in the OpenAI shape.
 */
@Controller('v1')
@UseGuards(ApiKeyGuard)
export class MemoryController {
  constructor(@Inject(NatsBus) private readonly bus: NatsBus) {}

  @Post('kb/documents')
  @HttpCode(201)
  async ingest(@Body() body: unknown, @Req() req: FastifyRequest) {
    const content = (body as { content?: unknown } | null)?.content;
    if (typeof content === 'string' && Buffer.byteLength(content) > MAX_DOCUMENT_BYTES) {
      throw new GatewayError(413, 'document_too_large', 'invalid_request_error', `content is larger than ${MAX_DOCUMENT_BYTES} bytes; split the document`, 'content');
    }
    const doc = parseBody(KbIngestRequest, body);
    const { id, chunks, outcome } = await askMemory(this.bus, KbIngest, { ...doc, requestId: req.id }, INGEST_MS);
    return { id, chunks, outcome };
  }

  @Get('kb/documents')
  listDocuments(@Query() query: unknown) {
    const q = parseBody(ListQuery, query);
    return askMemory(this.bus, KbList, q, QUICK_MS);
  }

  @Delete('kb/documents/:id')
  deleteDocument(@Param('id') id: string, @Req() req: FastifyRequest) {
    return askMemory(this.bus, KbDelete, { id: knownId(id, 'document'), requestId: req.id }, QUICK_MS);
  }

  @Get('memory/preferences')
  listPreferences(@Query() query: unknown) {
    const q = parseBody(PrefListQuery, query);
    return askMemory(this.bus, PrefList, { all: q.all === 'true' }, QUICK_MS);
  }

  @Post('memory/preferences')
  @HttpCode(201)
  createPreference(@Body() body: unknown, @Req() req: FastifyRequest) {
    return askMemory(this.bus, PrefCreate, { ...parseBody(PreferenceCreateRequest, body), requestId: req.id }, QUICK_MS);
  }

  @Patch('memory/preferences/:id')
  updatePreference(@Param('id') id: string, @Body() body: unknown, @Req() req: FastifyRequest) {
    const patch = parseBody(PreferencePatchRequest, body);
    return askMemory(this.bus, PrefUpdate, { id: knownId(id, 'preference'), patch, requestId: req.id }, QUICK_MS);
  }

  @Delete('memory/preferences/:id')
  deletePreference(@Param('id') id: string, @Req() req: FastifyRequest) {
    return askMemory(this.bus, PrefDelete, { id: knownId(id, 'preference'), requestId: req.id }, QUICK_MS);
  }

  @Put('memory/status')
  putStatus(@Body() body: unknown, @Req() req: FastifyRequest) {
    return askMemory(this.bus, StatusPut, { ...parseBody(StatusPutRequest, body), requestId: req.id }, QUICK_MS);
  }

  @Get('memory/status')
  getStatus() {
    return askMemory(this.bus, StatusGet, {}, QUICK_MS);
  }

  @Post('memory/query')
  @HttpCode(200)
  query(@Body() body: unknown) {
    return askMemory(this.bus, MemoryQuery, parseBody(MemoryQueryRequest, body), QUICK_MS);
  }

  /** OpenAI's embeddings API, answered by the memory plane's embedder (the model is the embedder's id). */
  @Post('embeddings')
  @HttpCode(200)
  async embeddings(@Body() body: unknown) {
    const req = parseBody(EmbedRequest, body);
    const inputs = typeof req.input === 'string' ? [req.input] : req.input;
    const reply = await askMemory(this.bus, Embed, req, QUICK_MS);
    const tokens = inputs.reduce((n, s) => n + Math.ceil(s.length / 4), 0);
    return { object: 'list', data: reply.data.map((embedding, index) => ({ object: 'embedding', index, embedding })), model: reply.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }
}

/** An id that cannot exist is answered like one that does not: 404 naming the parameter. */
function knownId(id: string, what: string): string {
  if (!Id.safeParse(id).success) throw new GatewayError(404, `${what}_not_found`, 'invalid_request_error', `no ${what} has that id`, 'id');
  return id;
}
