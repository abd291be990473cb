import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import type { FaultSpec, SimReply } from '@cp/provider-sim/domain';
import { DedicatedListener } from './dedicated-listener';

/** What the stats endpoint shows of the last request: references, copied only when asked for. */
interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number | undefined;
}

const SECRET_HEADERS = new Set(['authorization', 'x-api-key', 'x-goog-api-key']);

/** Raised when a control call cannot be honoured; `status` is what the control API answers. */
export class SimControlError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimControlError';
  }
}

/** One named provider: its fault, its queue of scripted replies, its counters, its own port. */
export class SimInstance {
  private requests = 0;
  private lastRequest: RecordedRequest | null = null;
  private fault: ActiveFault | null = null;
  private script: SimReply[] = [];
  private listener: DedicatedListener | null = null;

  constructor(readonly name: string) {}

  record(path: string, headers: IncomingHttpHeaders, body: unknown): void {
    this.requests += 1;
    this.lastRequest = { path, headers, body };
  }

  /** The fault this request gets, counting it against `times`. */
  takeFault(): FaultSpec | null {
    const active = this.fault;
    if (!active) return null;
    if (active.remaining !== undefined) {
      active.remaining -= 1;
      if (active.remaining <= 0) {
        this.fault = null;
        if (active.spec.type === 'refuse') this.reopenListenerInBackground();
      }
    }
    return active.spec;
  }

  peekReply(): SimReply | undefined {
    return this.script[0];
  }

  nextReply(): SimReply | undefined {
    return this.script.length > 0 ? this.script.shift() : undefined;
  }

  enqueue(replies: readonly SimReply[]): number {
    this.script.push(...replies);
    return this.script.length;
  }

  async setFault(spec: FaultSpec): Promise<void> {
    this.fault = { spec, remaining: spec.times };
    await this.listener?.setOpen(spec.type !== 'refuse');
  }

  async clearFault(): Promise<void> {
    this.fault = null;
    await this.listener?.setOpen(true);
  }

  async openListener(host: string, port: number | undefined, handler: RequestListener): Promise<DedicatedListener> {
    const existing = this.listener;
    if (existing && port !== undefined && port !== 0 && port !== existing.port) {
      throw new SimControlError('SIM.LISTENER_EXISTS', 409, `instance '${this.name}' already listens on port ${existing.port}`);
    }
    try {
      const listener = existing ?? (await DedicatedListener.create(host, port ?? 0, handler));
      this.listener = listener;
      // Also retries a re-open that failed in the background.
      await listener.setOpen(this.fault?.spec.type !== 'refuse');
      return listener;
    } catch (err: unknown) {
      throw new SimControlError('SIM.LISTENER_FAILED', 409, `cannot listen on port ${port ?? existing?.port ?? 0}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async close(): Promise<void> {
    this.fault = null;
    await this.listener?.setOpen(false);
    this.listener = null;
  }

  stats(): { requests: number; lastRequest: RecordedRequest | null } {
    const last = this.lastRequest;
    if (!last) return { requests: this.requests, lastRequest: null };
    const headers: IncomingHttpHeaders = {};
    for (const [key, value] of Object.entries(last.headers)) if (!SECRET_HEADERS.has(key)) headers[key] = value;
    return { requests: this.requests, lastRequest: { path: last.path, headers, body: last.body } };
  }

  private reopenListenerInBackground(): void {
    this.listener?.setOpen(true).catch((err: unknown) => {
      // No request is waiting on this; the next control call on the listener retries and reports.
      process.stderr.write(`${JSON.stringify({ level: 'error', msg: 'provider-sim listener reopen failed', instance: this.name, err: String(err) })}\n`);
    });
  }
}

/** All instances of one simulator, created on first use. */
export class InstanceRegistry {
  private readonly instances = new Map<string, SimInstance>();

  get(name: string): SimInstance {
    let instance = this.instances.get(name);
    if (!instance) {
      instance = new SimInstance(name);
      this.instances.set(name, instance);
    }
    return instance;
  }

  async clear(): Promise<void> {
    const all = [...this.instances.values()];
    this.instances.clear();
    await Promise.all(all.map((instance) => instance.close()));
  }
}
