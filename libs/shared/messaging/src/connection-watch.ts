import type { NatsConnection } from '@nats-io/transport-node';

/** Whether this process reaches NATS now, since when, and how its outages went. */
export interface ConnectionState {
  connected: boolean;
  since: string;
  outages: number;
  /** How long the last finished outage lasted. */
  lastOutageMs: number | null;
}

/**
 * Follows a connection's status events: an outage and its recovery become state (`/health` shows
 * it) and one call of `onChange` each (the runtime logs them).
 */
export class ConnectionWatch {
  private connected = true;
  private since = Date.now();
  private outages = 0;
  private lastOutageMs: number | null = null;

  constructor(nc: NatsConnection, onChange?: (state: ConnectionState) => void) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect' && this.connected) {
          this.connected = false;
          this.outages++;
          this.since = Date.now();
        } else if (s.type === 'reconnect' && !this.connected) {
          this.connected = true;
          this.lastOutageMs = Date.now() - this.since;
          this.since = Date.now();
        } else continue;
        onChange?.(this.state());
      }
    })();
  }

  state(): ConnectionState {
    return { connected: this.connected, since: new Date(this.since).toISOString(), outages: this.outages, lastOutageMs: this.lastOutageMs };
  }
}
