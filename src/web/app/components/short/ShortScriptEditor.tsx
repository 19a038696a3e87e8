import { Field, Select } from '../Field.tsx';
import { fill, useI18n } from '../../i18n.ts';
import { optionLabel } from '../../i18n-values.ts';
import { CUE_PLACES, MAX_CAPTION_CHARS, MAX_CUES_PER_SCENE, SHORT_EFFECTS, SHORT_MOODS, type SceneDraft, type ScriptDraft } from './short-draft.ts';

/**
 * The script as an editable list of scenes: the title and mood, and per scene what the voice
 * says, the on-screen caption, what the picture shows, its mood and its sound cues (chips that
 * can be removed; a dropdown adds one).
 */
export function ShortScriptEditor({ value, onChange }: { value: ScriptDraft; onChange: (draft: ScriptDraft) => void }) {
  const { t, language } = useI18n();
  const setScene = (index: number, scene: SceneDraft) => onChange({ ...value, scenes: value.scenes.map((s, i) => (i === index ? scene : s)) });
  return (
    <section className="short-script" data-testid="short-script" aria-label={t('shortScript')}>
      <div className="row">
        <Field label={t('shortTitle')}>{(id) => <input id={id} value={value.title} maxLength={60} onChange={(e) => onChange({ ...value, title: e.target.value })} required />}</Field>
        <Field label={t('shortMusicMood')}>{(id) => <Select id={id} value={value.mood} options={SHORT_MOODS} onChange={(mood) => onChange({ ...value, mood })} label={(v) => optionLabel(language, 'mood', v)} />}</Field>
      </div>
      <ol className="short-scenes">
        {value.scenes.map((scene, index) => (
          <li key={index} className="short-scene" data-testid="short-scene">
            <fieldset>
              <legend>{fill(t('shortSceneN'), { n: index + 1 })}</legend>
              <Field label={t('shortNarration')} wide>
                {(id) => <textarea id={id} rows={2} value={scene.narration} onChange={(e) => setScene(index, { ...scene, narration: e.target.value })} required />}
              </Field>
              <div className="row">
                <Field label={t('shortCaption')}>{(id) => <input id={id} value={scene.caption} maxLength={MAX_CAPTION_CHARS} onChange={(e) => setScene(index, { ...scene, caption: e.target.value })} />}</Field>
                <Field label={t('shortVisual')}>{(id) => <input id={id} value={scene.visual} onChange={(e) => setScene(index, { ...scene, visual: e.target.value })} />}</Field>
                <Field label={t('shortSceneMood')}>
                  {(id) => <Select id={id} value={scene.mood} options={['', ...SHORT_MOODS]} onChange={(mood) => setScene(index, { ...scene, mood })} label={(v) => (v === '' ? t('shortMoodAsScript') : optionLabel(language, 'mood', v))} />}
                </Field>
              </div>
              <div className="short-cues" data-testid="short-cues">
                <span className="short-cues-label">{t('shortSounds')}</span>
                {scene.sounds.map((cue, cueIndex) => {
                  const name = `${optionLabel(language, 'soundEffect', cue.effect)} · ${optionLabel(language, 'cuePlace', cue.at)}`;
                  return (
                    <span key={`${cue.effect}-${cueIndex}`} className="chip" data-testid="short-cue" data-effect={cue.effect} data-at={cue.at}>
                      {name}
                      <button type="button" className="chip-remove" aria-label={fill(t('shortRemoveSound'), { sound: name })} onClick={() => setScene(index, { ...scene, sounds: scene.sounds.filter((_, i) => i !== cueIndex) })}>
                        ×
                      </button>
                    </span>
                  );
                })}
                {scene.sounds.length < MAX_CUES_PER_SCENE ? (
                  <select
                    aria-label={t('shortAddSound')}
                    className="short-add-cue"
                    value=""
                    onChange={(e) => {
                      if (e.target.value !== '') setScene(index, { ...scene, sounds: [...scene.sounds, { effect: e.target.value, at: CUE_PLACES[0] }] });
                    }}
                  >
                    <option value="">{t('shortAddSound')}</option>
                    {SHORT_EFFECTS.map((effect) => (
                      <option key={effect} value={effect}>
                        {optionLabel(language, 'soundEffect', effect)}
                      </option>
                    ))}
                  </select>
                ) : null}
              </div>
              {value.scenes.length > 1 ? (
                <button type="button" className="secondary" onClick={() => onChange({ ...value, scenes: value.scenes.filter((_, i) => i !== index) })}>
                  {t('shortRemoveScene')}
                </button>
              ) : null}
            </fieldset>
          </li>
        ))}
      </ol>
    </section>
  );
}
