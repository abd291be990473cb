/**
 * Every `code` along an error's `cause` chain, e.g. an SDK error wrapping fetch wrapping ECONNREFUSED.
 * Checked structurally: under Jest, errors raised by Node's fetch come from another realm and are
 * not `instanceof Error` there.
 */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 10 && typeof current === 'object' && current !== null; depth += 1) {
    if ('code' in current && typeof current.code === 'string') codes.push(current.code);
    current = 'cause' in current ? current.cause : undefined;
  }
  return codes;
}

/** Resolves with what a promise rejected with; fails the test if it resolved. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err: unknown) {
    return err;
  }
  throw new Error('expected a rejection, got a result');
}
