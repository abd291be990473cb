/** A thin client of the `/_sim` control API, for tests that drive a running simulator. */
export class SimControl {
  constructor(private readonly baseUrl: string) {}

  async script(instance: string, replies: unknown[]): Promise<void> {
    await this.call('POST', `/_sim/instances/${instance}/script`, { replies });
  }

  async fault(instance: string, fault: Record<string, unknown>): Promise<void> {
    await this.call('POST', `/_sim/instances/${instance}/faults`, fault);
  }

  async clearFault(instance: string): Promise<void> {
    await this.call('DELETE', `/_sim/instances/${instance}/faults`);
  }

  async listener(instance: string, port?: number): Promise<{ port: number; url: string }> {
    const body = await this.call('POST', `/_sim/instances/${instance}/listener`, port === undefined ? {} : { port });
    if (typeof body.port !== 'number' || typeof body.url !== 'string') throw new Error(`unexpected listener answer ${JSON.stringify(body)}`);
    return { port: body.port, url: body.url };
  }

  async stats(instance: string): Promise<Record<string, unknown>> {
    return this.call('GET', `/_sim/instances/${instance}/stats`);
  }

  async reset(): Promise<void> {
    await this.call('POST', '/_sim/reset');
  }

  private async call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed: unknown = await res.json();
    if (!res.ok || typeof parsed !== 'object' || parsed === null) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(parsed)}`);
    return { ...parsed };
  }
}
