import type { ModelMessage } from 'ai';
import { ShenbiError } from '../../core/errors.ts';
import type { ChatMessage } from './chat-schema.ts';

function textOf(content: string | { text: string }[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  return typeof content === 'string' ? content : content.map((p) => p.text).join('');
}

function parseArguments(raw: string, path: string): unknown {
  try {
    return raw.trim() === '' ? {} : JSON.parse(raw);
  } catch {
    throw new ShenbiError('INVALID_INPUT', `${path}: tool call arguments are not valid JSON.`, { details: { issues: [{ path, message: 'not valid JSON' }] } });
  }
}

/** OpenAI chat messages → AI SDK model messages (tool results find their tool's name from the call). */
export function toModelMessages(messages: readonly ChatMessage[]): ModelMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message, i): ModelMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(message.content) };
      case 'user':
        return { role: 'user', content: textOf(message.content) };
      case 'assistant': {
        const text = textOf(message.content);
        const calls = (message.tool_calls ?? []).map((call, j) => {
          toolNames.set(call.id, call.function.name);
          return { type: 'tool-call' as const, toolCallId: call.id, toolName: call.function.name, input: parseArguments(call.function.arguments, `body.messages.${i}.tool_calls.${j}.function.arguments`) };
        });
        return { role: 'assistant', content: [...(text === '' ? [] : [{ type: 'text' as const, text }]), ...calls] };
      }
      case 'tool': {
        const toolName = toolNames.get(message.tool_call_id);
        if (toolName === undefined) {
          throw new ShenbiError('INVALID_INPUT', `body.messages.${i}.tool_call_id: no earlier assistant tool call has id "${message.tool_call_id}".`, {
            details: { issues: [{ path: `messages.${i}.tool_call_id`, message: 'unknown tool call id' }] },
          });
        }
        return { role: 'tool', content: [{ type: 'tool-result', toolCallId: message.tool_call_id, toolName, output: { type: 'text', value: textOf(message.content) } }] };
      }
    }
  });
}
