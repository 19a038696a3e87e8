import type { LanguageModelV3CallOptions, LanguageModelV3FunctionTool, SharedV3Warning } from '@ai-sdk/provider';
import type { ChatModelFunctions, GbnfJsonSchema } from 'node-llama-cpp';

/** How tools take part in one call. */
export type ToolPlan =
  | { kind: 'none' }
  /** The model may call any of these, in its chat template's own function-calling syntax. */
  | { kind: 'auto'; functions: ChatModelFunctions }
  /**
   * A call is required: the output is constrained by grammar to `{"name": …, "arguments": …}`
   * (or to the one tool's arguments), so even a model that was never trained on tools answers
   * with a valid call, as llama.cpp's server does for forced tool choice.
   */
  | { kind: 'forced'; tools: LanguageModelV3FunctionTool[]; schema: GbnfJsonSchema; single: string | null };

function functionTools(options: LanguageModelV3CallOptions): LanguageModelV3FunctionTool[] {
  return (options.tools ?? []).filter((tool): tool is LanguageModelV3FunctionTool => tool.type === 'function');
}

export function planTools(options: LanguageModelV3CallOptions, hasChatWrapper: boolean, warnings: SharedV3Warning[]): ToolPlan {
  const tools = functionTools(options);
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') warnings.push({ type: 'unsupported', feature: `provider tool ${tool.name}` });
  }
  const choice = options.toolChoice ?? { type: 'auto' };
  if (tools.length === 0 || choice.type === 'none') return { kind: 'none' };
  if (choice.type === 'tool') {
    const tool = tools.find((t) => t.name === choice.toolName);
    if (!tool) return { kind: 'none' };
    return { kind: 'forced', tools: [tool], schema: tool.inputSchema as GbnfJsonSchema, single: tool.name };
  }
  if (choice.type === 'required') {
    const schema = {
      oneOf: tools.map((tool) => ({
        type: 'object',
        properties: { name: { const: tool.name }, arguments: tool.inputSchema },
        required: ['name', 'arguments'],
        additionalProperties: false,
      })),
    } as unknown as GbnfJsonSchema;
    return { kind: 'forced', tools, schema, single: null };
  }
  if (!hasChatWrapper) {
    warnings.push({ type: 'unsupported', feature: 'tools', details: 'this model has no chat template, so it cannot choose to call tools; use toolChoice "required" or a specific tool' });
    return { kind: 'none' };
  }
  const functions: ChatModelFunctions = Object.fromEntries(
    tools.map((tool) => [tool.name, { description: tool.description, params: tool.inputSchema as GbnfJsonSchema }]),
  );
  return { kind: 'auto', functions };
}

/** The instruction added to the prompt when a call is forced, so the arguments are meaningful. */
export function forcedToolInstruction(plan: Extract<ToolPlan, { kind: 'forced' }>): string {
  const list = plan.tools.map((t) => `- ${t.name}: ${t.description ?? ''} arguments schema: ${JSON.stringify(t.inputSchema)}`).join('\n');
  return plan.single === null
    ? `Call one of these tools. Reply only with JSON {"name": tool name, "arguments": {...}}.\n${list}`
    : `Call the tool ${plan.single}. Reply only with its arguments as JSON.\n${list}`;
}

/** Reads the forced call back out of the grammar-constrained text. */
export function parseForcedCall(plan: Extract<ToolPlan, { kind: 'forced' }>, text: string): { name: string; input: unknown } {
  const value: unknown = JSON.parse(text);
  if (plan.single !== null) return { name: plan.single, input: value };
  const call = value as { name: string; arguments: unknown };
  return { name: call.name, input: call.arguments };
}
