/** Compiled allow/deny patterns: exact names in a set, prefixes (`fs_*`) in a list. */
export class NamePatterns {
  private readonly exact = new Set<string>();
  private readonly prefixes: string[] = [];
  private readonly matchesAll: boolean;

  constructor(patterns: readonly string[]) {
    for (const p of patterns) {
      if (p.endsWith('*')) this.prefixes.push(p.slice(0, -1));
      else this.exact.add(p);
    }
    this.matchesAll = this.prefixes.includes('');
  }

  matches(name: string): boolean {
    return this.matchesAll || this.exact.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }
}
