/** A prom-client metric with labels: `labels(...values)` gives the child for that label set. */
interface Labelled<C> {
  labels(...values: string[]): C;
}

/**
 * Label children kept per label set, so recording costs one map lookup instead of validating and
 * hashing a label object on every call. The label values come from the registry, the trail and
 * status codes, never from raw client input, so the number of children is bounded.
 */
export class ChildCache<C> {
  private readonly children = new Map<string, C>();

  constructor(private readonly metric: Labelled<C>) {}

  get(...values: string[]): C {
    const key = values.join('\u0001');
    let child = this.children.get(key);
    if (!child) {
      child = this.metric.labels(...values);
      this.children.set(key, child);
    }
    return child;
  }
}
