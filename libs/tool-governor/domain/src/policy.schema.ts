import { z } from 'zod';

/** The seven repair classes, in the order they are tried on a call that fails its schema. */
export const REPAIR_CLASSES = ['invalid_json', 'parameter_names', 'stringified_json', 'extra_fields', 'type_coercion', 'missing_defaults', 'enum_case'] as const;
export const RepairClass = z.enum(REPAIR_CLASSES);
export type RepairClass = z.infer<typeof RepairClass>;

/** The local tools the pipeline can offer and run through tool-governor. */
export const LOCAL_TOOL_NAMES = ['search_kb', 'data_clean'] as const;
export const LocalToolName = z.enum(LOCAL_TOOL_NAMES);
export type LocalToolName = z.infer<typeof LocalToolName>;

/** A tool name, or a prefix ending in `*` (`fs_*`); `*` alone matches every tool. */
const NamePattern = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.:-]*\*?$/, 'a tool name, or a prefix ending in *');

/** Alias -> the schema's parameter name. */
const AliasMap = z.record(z.string().min(1).max(64), z.string().min(1).max(64));

/**
 * `config/tools.yaml`, owned by tool-governor (docs/tools.md describes every key). Unknown keys are
 * refused everywhere, so a typo never silently turns a rule off.
 */
export const ToolPolicySchema = z.strictObject({
  version: z.literal(1),
  tools: z
    .strictObject({
      allow: z.array(NamePattern).max(1000).default(['*']),
      deny: z.array(NamePattern).max(1000).default([]),
      maxPerRequest: z.number().int().positive().max(1000).default(128),
    })
    .default({ allow: ['*'], deny: [], maxPerRequest: 128 }),
  /** Per tool name (`*` for every tool): alias -> parameter. The tool's own entry wins over `*`. */
  aliases: z.record(NamePattern, AliasMap).default({}),
  repair: z
    .strictObject({
      classes: z.array(RepairClass).default([...REPAIR_CLASSES]),
      maxEditDistance: z.number().int().min(0).max(3).default(2),
      selfCorrectionRounds: z.number().int().min(0).max(2).default(1),
    })
    .default({ classes: [...REPAIR_CLASSES], maxEditDistance: 2, selfCorrectionRounds: 1 }),
  localTools: z
    .strictObject({
      offer: z.array(LocalToolName).default([]),
      maxRounds: z.number().int().min(0).max(5).default(3),
      timeoutMs: z.number().int().positive().max(60_000).default(5_000),
    })
    .default({ offer: [], maxRounds: 3, timeoutMs: 5_000 }),
});
export type ToolPolicy = z.infer<typeof ToolPolicySchema>;

/** The policy when no file says otherwise: every client tool allowed, every repair on, no local tools. */
export const DEFAULT_TOOL_POLICY: ToolPolicy = ToolPolicySchema.parse({ version: 1 });
