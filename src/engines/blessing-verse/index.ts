import type { EngineInfo } from '../engine-info.ts';

export { composeVerse, themeOf, type Verse, type VerseRequest } from './compose.ts';

export const blessingVerseEngine: EngineInfo = {
  id: 'blessing-verse',
  version: '1.0.0',
  tasks: ['text'],
  local: true,
  license: 'Apache-2.0',
  description: 'Procedural bilingual blessing verses (seven-character Chinese lines or English stanzas) by theme. No model needed.',
};
