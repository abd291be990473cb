import type { RouteDecision } from '../routing/route-decision';
import type { ProviderErrorClass } from './provider-error-class';

/** OpenAI error `type` values the edge maps our errors to. */
export type OpenAiErrorType = 'invalid_request_error' | 'server_error' | 'api_error';

/**
 * Base of every error this library throws: a stable string `code`, an HTTP status hint and the
 * OpenAI error type. Messages never contain secrets.
 */
export abstract class RouterDomainError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  abstract readonly type: OpenAiErrorType;

  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The request names a model (or route) that no provider in the registry declares. */
export class UnknownModelError extends RouterDomainError {
  readonly code = 'ROUTER.UNKNOWN_MODEL';
  readonly httpStatus = 404;
  readonly type = 'invalid_request_error';
  constructor(readonly model: string) {
    // Client input in an answer: a short excerpt only (the name may be 200 characters).
    super(`The model '${model.length > 64 ? `${model.slice(0, 63)}…` : model}' does not exist or is not served by this gateway`);
  }
}

/** Every candidate of the chosen route lacks a capability the request needs (tools, vision, ...). */
export class NoCapableProviderError extends RouterDomainError {
  readonly code = 'ROUTER.NO_CAPABLE_PROVIDER';
  readonly httpStatus = 400;
  readonly type = 'invalid_request_error';
  /** The decision, kept so the caller can still record the trail. */
  constructor(message: string, readonly decision: RouteDecision) {
    super(message);
  }
}

/** Every capable candidate failed or was skipped by its breaker (raised by the completion pipeline). */
export class NoHealthyProviderError extends RouterDomainError {
  readonly code = 'ROUTER.NO_HEALTHY_PROVIDER';
  readonly httpStatus = 503;
  readonly type = 'server_error';
  constructor(message: string) {
    super(message);
  }
}

/** The request is valid OpenAI but cannot be translated (bad data URL, orphan tool result, ...). */
export class InvalidChatRequestError extends RouterDomainError {
  readonly code = 'ROUTER.INVALID_REQUEST';
  readonly httpStatus = 400;
  readonly type = 'invalid_request_error';
  constructor(message: string, readonly param?: string) {
    super(message);
  }
}

/** One problem in `config/providers.yaml`, located by its path (`providers[2].models[0].id`). */
export interface RegistryIssue {
  path: string;
  message: string;
}

/** The provider registry is invalid; the message names every bad path. */
export class InvalidRegistryError extends RouterDomainError {
  readonly code = 'ROUTER.INVALID_REGISTRY';
  readonly httpStatus = 500;
  readonly type = 'server_error';
  constructor(readonly issues: RegistryIssue[]) {
    super(`invalid provider registry: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

/** A provider answered with something that is not its wire format (bad JSON, wrong schema). */
export class ProviderResponseError extends RouterDomainError {
  readonly code = 'PROVIDER.MALFORMED_RESPONSE';
  readonly httpStatus = 502;
  readonly type = 'api_error';
  readonly errorClass: ProviderErrorClass = 'malformed_response';
  constructor(message: string) {
    super(message);
  }
}

/** A provider reported an error inside a stream that had already started. */
export class ProviderStreamError extends RouterDomainError {
  readonly code = 'PROVIDER.STREAM_ERROR';
  readonly httpStatus = 502;
  readonly type = 'api_error';
  /** `status` is the HTTP status the provider's error type stands for, when it names one. */
  constructor(message: string, readonly errorClass: ProviderErrorClass, readonly status?: number) {
    super(message);
  }
}
