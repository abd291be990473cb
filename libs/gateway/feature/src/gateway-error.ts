/** An error the edge answers in the OpenAI error shape; `code` is stable, `message` is for people. */
export class GatewayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly type: string,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'GatewayError';
  }

  static invalidRequest(message: string, param: string | null = null, code = 'invalid_request') {
    return new GatewayError(400, code, 'invalid_request_error', message, param);
  }
}
