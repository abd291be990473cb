/**
 * Which methods each route pattern answers, from Fastify's `onRoute` events, so a request for a
 * known path with another method gets a 405 naming them (`Allow`) instead of a 404. Patterns are
 * matched segment by segment; `:name` matches any one non-empty segment.
 */
export class RouteMethods {
  private readonly routes: { segments: string[]; methods: Set<string> }[] = [];

  add(method: string | string[], url: string): void {
    const segments = url.split('/');
    let route = this.routes.find((r) => r.segments.join('/') === segments.join('/'));
    if (!route) this.routes.push((route = { segments, methods: new Set() }));
    for (const m of Array.isArray(method) ? method : [method]) route.methods.add(m.toUpperCase());
  }

  /** The methods some route answers at this path (query excluded), sorted; empty when no route matches. */
  allowed(path: string): string[] {
    const segments = path.split('/');
    const methods = new Set<string>();
    for (const r of this.routes) if (matches(r.segments, segments)) r.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  }
}

function matches(pattern: string[], segments: string[]): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((p, i) => (p.startsWith(':') ? segments[i] !== '' : p === segments[i]));
}
