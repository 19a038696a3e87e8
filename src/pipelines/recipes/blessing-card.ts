import type { PipelineSpecInput } from '../../core/pipeline.ts';

/**
 * The offline showcase: a blessing verse for someone, drawn onto a card. Runs on a fresh
 * machine with no models. (The blessing *song* pipeline builds on this once music lands.)
 */
export const blessingCardPipeline: PipelineSpecInput = {
  id: 'blessing-card',
  title: 'Blessing card',
  description: 'Writes a blessing verse for someone and draws it onto a card image.',
  inputs: {
    recipient: { type: 'string', default: 'Mom', description: 'Who it is for.' },
    wish: { type: 'string', default: 'good health and a happy new year', description: 'What to wish them.' },
    language: { type: 'string', default: 'auto', description: 'zh, en or auto.' },
    seed: { type: 'integer', optional: true, description: 'Same seed, same card.' },
  },
  steps: [
    {
      id: 'verse',
      uses: 'text.blessing-verse',
      with: {
        recipient: { $from: 'inputs.recipient' },
        wish: { $from: 'inputs.wish' },
        language: { $from: 'inputs.language' },
        seed: { $from: 'inputs.seed' },
      },
    },
    {
      id: 'card',
      uses: 'image.card',
      with: {
        title: { $from: 'verse.title' },
        text: { $from: 'verse.text' },
        seed: { $from: 'inputs.seed' },
        width: 1080,
        height: 1440,
      },
    },
  ],
  outputs: {
    verse: { $from: 'verse.verse' },
    card: { $from: 'card.image' },
  },
};
