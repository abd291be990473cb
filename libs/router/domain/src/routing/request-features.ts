import type { ChatCompletionRequest } from '@cp/shared/contracts';
import { contentText, hasImageParts } from '../chat/content';
import type { Capabilities, Capability } from '../registry/registry.schema';

/** What the router needs to know about a request to choose and filter candidates. */
export interface RequestFeatures {
  hasImages: boolean;
  /** Tools are declared, or the history already holds tool calls or tool results. */
  usesTools: boolean;
  hasToolDeclarations: boolean;
  streams: boolean;
  wantsJson: boolean;
  lastUserText: string;
  /** Messages other than system/developer ones. */
  turns: number;
}

export function requestFeatures(request: ChatCompletionRequest): RequestFeatures {
  const messages = request.messages;
  const lastUser = [...messages].reverse().find((m) => m.role === 'user');
  const hasToolDeclarations = (request.tools?.length ?? 0) > 0;
  const historyHasTools = messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0));
  const format = request.response_format?.type;
  return {
    hasImages: messages.some(hasImageParts),
    usesTools: hasToolDeclarations || historyHasTools,
    hasToolDeclarations,
    streams: request.stream === true,
    wantsJson: format === 'json_object' || format === 'json_schema',
    lastUserText: lastUser ? contentText(lastUser.content) : '',
    turns: messages.filter((m) => m.role !== 'system' && m.role !== 'developer').length,
  };
}

/** The capabilities a model must declare to serve a request with these features. */
export function requiredCapabilities(features: RequestFeatures): Capability[] {
  const required: Capability[] = [];
  if (features.usesTools) required.push('tools');
  if (features.hasImages) required.push('vision');
  if (features.streams) required.push('streaming');
  if (features.wantsJson) required.push('jsonMode');
  return required;
}

/** The required capabilities a model lacks, in a stable order. */
export function missingCapabilities(capabilities: Capabilities, required: Capability[]): Capability[] {
  return required.filter((capability) => !capabilities[capability]);
}
