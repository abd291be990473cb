import { z } from 'zod';

/** The parts of a Gemini GenerateContentResponse the adapter reads (also each streamed event). */
export const GeminiFunctionCall = z
  .object({ id: z.string().optional(), name: z.string().min(1), args: z.record(z.string(), z.unknown()).nullable().optional() })
  .loose();

export const GeminiPart = z
  .object({ text: z.string().optional(), thought: z.boolean().optional(), thoughtSignature: z.string().optional(), functionCall: GeminiFunctionCall.optional() })
  .loose();
export type GeminiPart = z.infer<typeof GeminiPart>;

export const GeminiUsageMetadata = z
  .object({
    promptTokenCount: z.number().int().nonnegative().optional(),
    candidatesTokenCount: z.number().int().nonnegative().optional(),
    thoughtsTokenCount: z.number().int().nonnegative().optional(),
    totalTokenCount: z.number().int().nonnegative().optional(),
  })
  .loose();
export type GeminiUsageMetadata = z.infer<typeof GeminiUsageMetadata>;

export const GeminiResponse = z
  .object({
    candidates: z
      .array(
        z
          .object({
            content: z.object({ role: z.string().optional(), parts: z.array(GeminiPart).optional() }).loose().optional(),
            finishReason: z.string().optional(),
            index: z.number().int().optional(),
          })
          .loose(),
      )
      .optional(),
    usageMetadata: GeminiUsageMetadata.optional(),
    promptFeedback: z.object({ blockReason: z.string().optional() }).loose().optional(),
    responseId: z.string().optional(),
    modelVersion: z.string().optional(),
  })
  .loose();
export type GeminiResponse = z.infer<typeof GeminiResponse>;
