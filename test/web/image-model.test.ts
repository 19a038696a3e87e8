import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelList, ModelRow } from '../../src/web/app/api/models.ts';
import { imageModelOf } from '../../src/web/app/components/image-model.ts';

/** The Digital human page offers "generate a portrait" only with a model that can make one. */

const row = (name: string, task: string, installed: boolean): ModelRow => ({ name, task, installed, size: null, licence: null, description: null, descriptionZh: null });
const list = (rows: ModelRow[], providers: string[]): ModelList => ({ rows, providers, defaultTextModel: null });

test('no image model: nothing installed for images, no image-capable provider (text-only ones do not count)', () => {
  assert.equal(imageModelOf(null), null);
  assert.equal(imageModelOf(list([row('qwen2.5-0.5b-instruct', 'text, code', true), row('sd-turbo', 'image', false)], ['anthropic:claude-3-5-haiku', 'deepseek:deepseek-chat'])), null);
});

test('an installed local diffusion model comes first; else a provider, by its image model', () => {
  assert.equal(imageModelOf(list([row('sd-turbo', 'image', true)], ['openai:gpt-4o-mini'])), 'sd-turbo');
  // The listed name carries the text default: the image call needs the image model.
  assert.equal(imageModelOf(list([], ['deepseek:deepseek-chat', 'openai:gpt-4o-mini'])), 'openai:gpt-image-1');
  assert.equal(imageModelOf(list([], ['fal:some-llm'])), 'fal:fal-ai/flux/schnell');
  // A ComfyUI server's configured default is its checkpoint.
  assert.equal(imageModelOf(list([], ['comfyui:sd_xl_base_1.0.safetensors'])), 'comfyui:sd_xl_base_1.0.safetensors');
});
