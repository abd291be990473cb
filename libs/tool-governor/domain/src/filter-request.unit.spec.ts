import type { ChatCompletionRequest, FunctionTool } from '@cp/shared/contracts';
import { CompiledToolPolicy } from './compiled-policy';
import { filterRequestTools, ToolPolicyRequestError } from './filter-request';
import { ToolPolicySchema } from './policy.schema';

const tool = (name: string): FunctionTool => ({ type: 'function', function: { name, parameters: { type: 'object' } } });
const request = (names: string[], extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools: names.map(tool), ...extra });
const policy = (p: Record<string, unknown>) => new CompiledToolPolicy(ToolPolicySchema.parse({ version: 1, ...p }));

describe('filterRequestTools', () => {
  it('Given the default policy, every client tool passes', () => {
    const out = filterRequestTools(request(['a', 'b']), policy({}));
    expect(out.request.tools?.map((t) => t.function.name)).toEqual(['a', 'b']);
    expect(out.trail).toEqual([]);
  });

  it('Given allow by exact name and prefix, the others are removed and listed', () => {
    const out = filterRequestTools(request(['fs_read', 'fs_write', 'shell', 'search']), policy({ tools: { allow: ['fs_*', 'search'] } }));
    expect(out.request.tools?.map((t) => t.function.name)).toEqual(['fs_read', 'fs_write', 'search']);
    expect(out.trail).toEqual([{ tool: 'shell', action: 'removed', reason: 'not_allowed' }]);
  });

  it('Given deny, it wins over allow', () => {
    const out = filterRequestTools(request(['fs_read', 'fs_delete']), policy({ tools: { allow: ['*'], deny: ['fs_delete'] } }));
    expect(out.trail).toEqual([{ tool: 'fs_delete', action: 'removed', reason: 'denied' }]);
  });

  it('Given a cap, the tools past it are removed', () => {
    const out = filterRequestTools(request(['a', 'b', 'c']), policy({ tools: { maxPerRequest: 2 } }));
    expect(out.request.tools).toHaveLength(2);
    expect(out.trail).toEqual([{ tool: 'c', action: 'removed', reason: 'over_cap' }]);
  });

  it('Given tool_choice naming a removed tool, it is a 400 naming it', () => {
    const act = () => filterRequestTools(request(['shell'], { tool_choice: { type: 'function', function: { name: 'shell' } } }), policy({ tools: { deny: ['shell'] } }));
    expect(act).toThrow(ToolPolicyRequestError);
    expect(act).toThrow(/'shell'/);
  });

  it('Given local tools offered, they are added, never over a client tool of the same name, never with tool_choice none', () => {
    const p = policy({ localTools: { offer: ['data_clean', 'search_kb'] } });
    const out = filterRequestTools(request(['search_kb']), p);
    expect(out.request.tools?.map((t) => t.function.name)).toEqual(['search_kb', 'data_clean']);
    expect([...out.localTools]).toEqual(['data_clean']);
    expect(out.clientTools.has('search_kb')).toBe(true);
    expect(filterRequestTools(request(['x'], { tool_choice: 'none' }), p).request.tools).toHaveLength(1);
  });

  it('Given every tool removed, tools and tool_choice auto are dropped; required is a 400', () => {
    const p = policy({ tools: { deny: ['*'] } });
    const out = filterRequestTools(request(['a'], { tool_choice: 'auto' }), p);
    expect(out.request.tools).toBeUndefined();
    expect(out.request.tool_choice).toBeUndefined();
    expect(() => filterRequestTools(request(['a'], { tool_choice: 'required' }), p)).toThrow(ToolPolicyRequestError);
  });
});
