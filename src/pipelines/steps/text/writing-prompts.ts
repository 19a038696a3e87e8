/**
 * How each writing mode and style preset is asked of a model. Kept as data so the studio
 * can list the presets and users can read exactly what is sent.
 */
export const WRITING_STYLES = {
  marketing: 'Write persuasive, vivid marketing copy with a clear call to action. 写有感染力的营销文案，结尾要有明确的行动号召。',
  email: 'Write a clear, polite email with a subject line, greeting, body and sign-off. 写一封清晰得体的邮件：主题、称呼、正文、落款。',
  novel: 'Write literary fiction: concrete detail, natural dialogue, consistent characters and point of view. 用小说笔法：细节具体、对话自然、人物与视角一致。',
  formal: 'Use a formal, precise register. 使用正式、准确的书面语。',
  casual: 'Use a warm, casual, conversational tone. 语气轻松亲切。',
  poetic: 'Write with rhythm and imagery, like poetry. 富有韵律和意象。',
} as const satisfies Record<string, string>;

export type WritingStyle = keyof typeof WRITING_STYLES;

export type WritingMode = 'chat' | 'complete' | 'rewrite' | 'continue' | 'expand';

const MODE_INSTRUCTIONS: Record<Exclude<WritingMode, 'chat' | 'complete'>, string> = {
  rewrite: 'Rewrite the following text, keeping its meaning and language. Reply with the rewritten text only.',
  continue: 'Continue the following text in the same voice and language. Reply with the continuation only.',
  expand:
    'Expand the following short phrase into a detailed, concrete description (setting, subjects, actions, style, lighting, mood), in the same language. Reply with the description only.',
};

export interface WritingRequest {
  mode: WritingMode;
  prompt: string;
  system?: string | undefined;
  style?: string | undefined;
}

/** The system and user messages for a writing request. Unknown styles are used verbatim as an instruction. */
export function buildWritingPrompt(request: WritingRequest): { system: string | undefined; prompt: string } {
  const styleText =
    request.style === undefined ? undefined : ((WRITING_STYLES as Record<string, string>)[request.style] ?? `Style: ${request.style}.`);
  const system = [request.system, styleText].filter((part): part is string => part !== undefined && part !== '').join('\n') || undefined;
  if (request.mode === 'chat' || request.mode === 'complete') return { system, prompt: request.prompt };
  return { system, prompt: `${MODE_INSTRUCTIONS[request.mode]}\n\n${request.prompt}` };
}
