import type { LanguageModelV3Prompt, LanguageModelV3ToolResultOutput } from '@ai-sdk/provider';
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from 'node-llama-cpp';

/** Plain-text rendering for models without a chat template (base models such as stories260K). */
export function renderPlainPrompt(prompt: LanguageModelV3Prompt): string {
  const parts: string[] = [];
  for (const message of prompt) {
    if (message.role === 'system') parts.push(message.content);
    else if (message.role === 'user' || message.role === 'assistant') {
      for (const part of message.content) if (part.type === 'text') parts.push(part.text);
    }
  }
  return parts.join('\n');
}

function toolOutputValue(output: LanguageModelV3ToolResultOutput): unknown {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return output.value;
    case 'json':
    case 'error-json':
      return output.value;
    case 'execution-denied':
      return { denied: true, reason: output.reason ?? null };
    case 'content':
      return output.value.map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');
  }
}

/**
 * AI SDK prompt → node-llama-cpp chat history, ending with the model turn to be generated.
 * Tool results are folded into the function call they answer, which is how chat wrappers
 * render them back to the model.
 */
export function toChatHistory(prompt: LanguageModelV3Prompt): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const calls = new Map<string, ChatModelFunctionCall>();
  for (const message of prompt) {
    if (message.role === 'system') {
      history.push({ type: 'system', text: message.content });
    } else if (message.role === 'user') {
      const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
      history.push({ type: 'user', text });
    } else if (message.role === 'assistant') {
      const response: ChatModelResponse['response'] = [];
      for (const part of message.content) {
        if (part.type === 'text') response.push(part.text);
        else if (part.type === 'tool-call') {
          const call: ChatModelFunctionCall = { type: 'functionCall', name: part.toolName, params: part.input, result: undefined };
          calls.set(part.toolCallId, call);
          response.push(call);
        }
      }
      history.push({ type: 'model', response });
    } else if (message.role === 'tool') {
      for (const part of message.content) {
        if (part.type !== 'tool-result') continue;
        const call = calls.get(part.toolCallId);
        if (call) call.result = toolOutputValue(part.output);
      }
    }
  }
  // A trailing model turn (a prefill, or calls whose results just came back) is continued, not restarted.
  if (history.at(-1)?.type !== 'model') history.push({ type: 'model', response: [] });
  return history;
}
