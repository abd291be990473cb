import { deepFreeze, rememberJsonText, type FunctionTool } from '@cp/shared/contracts';
import type { LocalToolName } from './policy.schema';

/** The definitions the pipeline adds to a request when the policy offers the local tools. */
export const LOCAL_TOOL_DEFINITIONS: Record<LocalToolName, FunctionTool> = {
  search_kb: {
    type: 'function',
    function: {
      name: 'search_kb',
      description: 'Search the knowledge base; returns the most relevant passages with their sources.',
      parameters: {
        type: 'object',
        properties: { query: { type: 'string', description: 'what to look for' }, top_k: { type: 'integer', minimum: 1, maximum: 20, default: 5 } },
        required: ['query'],
        additionalProperties: false,
      },
    },
  },
  data_clean: {
    type: 'function',
    function: {
      name: 'data_clean',
      description: 'Clean text or table rows: trim, Unicode NFC, collapse whitespace, drop empty rows and columns, remove duplicate rows, normalise numbers and dates (ISO 8601). Returns the cleaned data and a report of the changes.',
      parameters: {
        type: 'object',
        properties: {
          text: { type: 'string', description: 'text, one record per line' },
          rows: { type: 'array', items: { type: 'array', items: {} }, description: 'rows of cells' },
          date_order: { type: 'string', enum: ['dmy', 'mdy'], default: 'dmy', description: 'how to read ambiguous dates such as 03/04/2024' },
        },
        additionalProperties: false,
      },
    },
  },
};

// Constants shared by every request that is offered them: frozen, their JSON text known (see json-text.ts).
for (const definition of Object.values(LOCAL_TOOL_DEFINITIONS)) rememberJsonText(deepFreeze(definition));

export function isLocalToolName(name: string): name is LocalToolName {
  return name === 'search_kb' || name === 'data_clean';
}
