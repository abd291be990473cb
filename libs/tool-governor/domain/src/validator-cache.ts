import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';

/** The validators of one distinct tool schema, compiled once (the repairing ones only when first needed). */
export interface SchemaValidators {
  /** Undefined when the schema does not compile: such a tool's calls are only checked to be JSON objects. */
  check?: ValidateFunction;
  compileError?: string;
  /** Removes properties where the schema forbids them (`additionalProperties: false`). */
  strip(): ValidateFunction | undefined;
  /** Coerces scalars to the schema's types (`"5"` -> 5, a scalar -> a one-element array). */
  coerce(): ValidateFunction | undefined;
}

const base = { allErrors: true, strict: false, validateFormats: false, logger: false } as const;

/**
 * Compiled JSON-Schema validators (ajv) by schema text: a tool schema is compiled once per process,
 * however many requests carry it. Bounded: past `maxEntries` distinct schemas the cache starts over.
 */
export class ValidatorCache {
  // Created on first use: a process that never sees a tool call never pays for them.
  private checkerAjv?: Ajv;
  private stripperAjv?: Ajv;
  private coercerAjv?: Ajv;
  private readonly entries = new Map<string, SchemaValidators>();

  constructor(private readonly maxEntries = 2000) {}

  get size(): number {
    return this.entries.size;
  }

  validatorsFor(schema: Record<string, unknown>, key: string = JSON.stringify(schema)): SchemaValidators {
    const hit = this.entries.get(key);
    if (hit) return hit;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const entry = this.build(schema);
    this.entries.set(key, entry);
    return entry;
  }

  private get checker(): Ajv {
    return (this.checkerAjv ??= new Ajv(base));
  }

  private get stripper(): Ajv {
    return (this.stripperAjv ??= new Ajv({ ...base, removeAdditional: true }));
  }

  private get coercer(): Ajv {
    return (this.coercerAjv ??= new Ajv({ ...base, coerceTypes: 'array' }));
  }

  private build(schema: Record<string, unknown>): SchemaValidators {
    let check: ValidateFunction | undefined;
    let compileError: string | undefined;
    try {
      check = this.checker.compile(schema);
    } catch (err) {
      compileError = err instanceof Error ? err.message.slice(0, 300) : String(err);
    }
    let strip: ValidateFunction | undefined;
    let coerce: ValidateFunction | undefined;
    return {
      check,
      compileError,
      strip: () => (check ? (strip ??= this.stripper.compile(schema)) : undefined),
      coerce: () => (check ? (coerce ??= this.coercer.compile(schema)) : undefined),
    };
  }
}

/** ajv's errors as short texts naming the place: `/count: must be integer`. */
export function violationsOf(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).slice(0, 20).map((e) => {
    const where = e.instancePath === '' ? '(root)' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'` : e.keyword === 'enum' ? ` (${((e.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')})` : '';
    return `${where}: ${e.message ?? e.keyword}${extra}`;
  });
}
