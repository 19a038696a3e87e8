import { z } from 'zod';

/** A cloud or local endpoint reached through the AI SDK. Holds the NAME of the key's env var, never the key. */
export const ProviderConfigSchema = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  kind: z.enum(['openai', 'anthropic', 'google', 'deepseek', 'openai-compatible', 'elevenlabs', 'automatic1111', 'comfyui', 'fal', 'replicate', 'luma', 'black-forest-labs', 'meshy', 'tripo', 'rodin', 'motion-http', 'did']),
  baseURL: z.string().url().optional(),
  apiKeyEnv: z.string().min(1).optional(),
  defaultModel: z.string().min(1).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;

export const PROVIDER_PRESETS: readonly ProviderConfig[] = [
  { name: 'openai', kind: 'openai', apiKeyEnv: 'OPENAI_API_KEY', defaultModel: 'gpt-4o-mini' },
  { name: 'anthropic', kind: 'anthropic', apiKeyEnv: 'ANTHROPIC_API_KEY', defaultModel: 'claude-3-5-haiku-latest' },
  { name: 'google', kind: 'google', apiKeyEnv: 'GOOGLE_GENERATIVE_AI_API_KEY', defaultModel: 'gemini-2.0-flash' },
  { name: 'deepseek', kind: 'deepseek', apiKeyEnv: 'DEEPSEEK_API_KEY', defaultModel: 'deepseek-chat' },
  { name: 'qwen', kind: 'openai-compatible', baseURL: 'https://dashscope.aliyuncs.com/compatible-mode/v1', apiKeyEnv: 'DASHSCOPE_API_KEY', defaultModel: 'qwen-plus' },
  { name: 'moonshot', kind: 'openai-compatible', baseURL: 'https://api.moonshot.cn/v1', apiKeyEnv: 'MOONSHOT_API_KEY', defaultModel: 'moonshot-v1-8k' },
  { name: 'zhipu', kind: 'openai-compatible', baseURL: 'https://open.bigmodel.cn/api/paas/v4', apiKeyEnv: 'ZHIPU_API_KEY', defaultModel: 'glm-4-flash' },
  { name: 'ollama', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:11434/v1' },
  { name: 'vllm', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_API_KEY' },
  { name: 'llama-cpp-server', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:8080/v1' },
  { name: 'lm-studio', kind: 'openai-compatible', baseURL: 'http://127.0.0.1:1234/v1' },
  // Speech only (text-to-speech and transcription), not text generation.
  { name: 'elevenlabs', kind: 'elevenlabs', apiKeyEnv: 'ELEVENLABS_API_KEY', defaultModel: 'eleven_multilingual_v2' },
  // Self-hosted Stable Diffusion (images only); the model id is the checkpoint.
  { name: 'automatic1111', kind: 'automatic1111', baseURL: 'http://127.0.0.1:7860' },
  { name: 'comfyui', kind: 'comfyui', baseURL: 'http://127.0.0.1:8188' },
  // Cloud images only; the model id is the provider's own (e.g. fal:fal-ai/flux/schnell, bfl:flux-pro-1.1).
  { name: 'fal', kind: 'fal', apiKeyEnv: 'FAL_KEY', defaultModel: 'fal-ai/flux/schnell' },
  { name: 'replicate', kind: 'replicate', apiKeyEnv: 'REPLICATE_API_TOKEN', defaultModel: 'black-forest-labs/flux-schnell' },
  { name: 'luma', kind: 'luma', apiKeyEnv: 'LUMA_API_KEY', defaultModel: 'photon-flash-1' },
  { name: 'bfl', kind: 'black-forest-labs', apiKeyEnv: 'BFL_API_KEY', defaultModel: 'flux-pro-1.1' },
  // Cloud 3D models only (text- and image-to-3D); fal and replicate above serve 3D too (fal:fal-ai/trellis …).
  { name: 'meshy', kind: 'meshy', apiKeyEnv: 'MESHY_API_KEY', defaultModel: 'latest' },
  { name: 'tripo', kind: 'tripo', apiKeyEnv: 'TRIPO_API_KEY', defaultModel: 'default' },
  { name: 'rodin', kind: 'rodin', apiKeyEnv: 'RODIN_API_KEY', defaultModel: 'Gen-2' },
  // Cloud talking heads only (a portrait + audio → video); fal and replicate above serve them too (fal:fal-ai/sadtalker …).
  { name: 'did', kind: 'did', apiKeyEnv: 'DID_API_KEY', defaultModel: 'talks' },
];

/**
 * What to start when a self-hosted preset cannot be reached: these servers are not running
 * until someone starts them, and an unreachable one must say so rather than answer nothing.
 */
export const PRESET_START_HINTS: Readonly<Record<string, string>> = {
  ollama: 'Start Ollama (`ollama serve`, then `ollama pull MODEL`), or set the "ollama" provider\'s baseURL in config.json to where it runs.',
  vllm: 'Start vLLM (`vllm serve MODEL --port 8000`), or set the "vllm" provider\'s baseURL in config.json to where it runs.',
  'llama-cpp-server': 'Start llama.cpp\'s server (`llama-server -m MODEL.gguf --port 8080`), or set the "llama-cpp-server" provider\'s baseURL in config.json.',
  'lm-studio': 'Start the LM Studio server (Developer tab → Start Server, or `lms server start`), or set the "lm-studio" provider\'s baseURL in config.json.',
};
