import type { ChatWrapper, LlamaModel, SpecializedChatWrapperTypeName, resolveChatWrapper } from 'node-llama-cpp';

/**
 * 'auto': the model's own chat template (from its GGUF, recognised as a known family such as
 * Qwen or Llama 3, else run as Jinja) when it has one, and plain text for base models that
 * have none — wrapping a base model in someone else's template only confuses it.
 * 'none': always plain text. A family name forces that template.
 */
export type ChatWrapperChoice = 'auto' | 'none' | SpecializedChatWrapperTypeName;

export function hasChatTemplate(model: LlamaModel): boolean {
  const template = model.fileInfo.metadata.tokenizer?.chat_template;
  return typeof template === 'string' && template.trim() !== '';
}

export function resolveChatWrapperChoice(
  choice: ChatWrapperChoice,
  model: LlamaModel,
  resolve: typeof resolveChatWrapper,
): ChatWrapper | null {
  if (choice === 'none') return null;
  if (choice === 'auto') return hasChatTemplate(model) ? resolve(model, { warningLogs: false }) : null;
  return resolve(model, { type: choice, warningLogs: false });
}
