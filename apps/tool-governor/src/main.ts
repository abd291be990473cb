import { bootstrapNestContext, runService } from '@cp/shared/runtime';
import { loadStartingPolicy, toolPolicyFile, ToolGovernorModule } from '@cp/tool-governor/feature';

/** tool-governor: owns the tool policy (`CP_TOOLS_FILE`), publishes its versions, runs local tools, serves tool statistics. */
void runService('tool-governor', async (rt) => {
  const file = toolPolicyFile();
  return bootstrapNestContext(rt, ToolGovernorModule.register(rt, file, await loadStartingPolicy(rt, file)));
});
