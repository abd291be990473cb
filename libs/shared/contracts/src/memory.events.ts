import { z } from 'zod';
import { defineEvent } from './envelope';

/**
 * Every change of the memory plane is an event in the ledger. Preferences are recorded by id and
 * hash only: what a user said never enters the ledger in plain text.
 */
export const DocumentIngested = defineEvent('memory.document-ingested', 1, z.object({ documentId: z.string(), contentHash: z.string(), outcome: z.enum(['created', 'replaced']), chunks: z.number().int(), bytes: z.number().int(), embedder: z.string() }));
export const DocumentDeleted = defineEvent('memory.document-deleted', 1, z.object({ documentId: z.string() }));
export const PreferenceRecorded = defineEvent('memory.preference-recorded', 1, z.object({ preferenceId: z.string(), subjectHash: z.string(), statementHash: z.string(), polarity: z.enum(['positive', 'negative']), confidence: z.number(), origin: z.enum(['learned', 'api']), evidence: z.string().nullable(), supersedes: z.array(z.string()) }));
export const PreferenceChanged = defineEvent('memory.preference-changed', 1, z.object({ preferenceId: z.string(), change: z.enum(['updated', 'deleted']), statementHash: z.string().optional() }));
export const StatusUpdated = defineEvent('memory.status-updated', 1, z.object({ items: z.array(z.object({ id: z.string(), kind: z.string(), textHash: z.string() })) }));
export const ItemRemembered = defineEvent('memory.item-remembered', 1, z.object({ itemId: z.string(), contentHash: z.string(), mediaType: z.string(), bytes: z.number().int(), created: z.boolean() }));
/** A remembered image got its description: by hash (the text stays in the memory plane), with the model that wrote it and the describing call's ledger id. */
export const ItemDescribed = defineEvent('memory.item-described', 1, z.object({ itemId: z.string(), descriptionHash: z.string(), chars: z.number().int(), model: z.string(), describeRequestId: z.string().optional() }));
export const ChunksReembedded = defineEvent('memory.chunks-reembedded', 1, z.object({ embedder: z.string(), dimension: z.number().int(), chunks: z.number().int(), remaining: z.number().int() }));
