import { useEffect, useState } from 'react';
import { artifactUrl, listArtifacts, type ArtifactInfo } from '../api/artifacts.ts';
import type { ModelList } from '../api/models.ts';
import { imageModelOf } from './image-model.ts';
import { useI18n } from '../i18n.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { Field } from './Field.tsx';
import { NeedsBadge } from './ModelNotice.tsx';
import { ProgressBar } from './ProgressBar.tsx';
import { UploadButton } from './UploadButton.tsx';
import { useJob } from './useJob.ts';

/**
 * The face to animate. An upload is the user's own photo (a real person until they say
 * otherwise: consent applies); a picture from the gallery was made here by a model.
 */
export interface Portrait {
  source: 'upload' | 'artifact';
  /** `upl_…` or `art_…`: the pipeline's `portrait` input. */
  id: string;
  previewUrl: string;
  name: string;
}

/** How many of the newest gallery pictures are offered (the gallery page has them all). */
const GALLERY_PICKS = 12;

/** Upload a photo, pick one made earlier, or generate one (only where an image model is configured). */
export function PortraitPicker({ value, onChange, models }: { value: Portrait | null; onChange: (portrait: Portrait) => void; models: ModelList | null }) {
  const { t } = useI18n();
  const [pictures, setPictures] = useState<ArtifactInfo[]>([]);
  const [uploadPreview, setUploadPreview] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    listArtifacts().then(
      (all) => live && setPictures(all.filter((a) => a.mimeType.startsWith('image/')).slice(0, GALLERY_PICKS)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  // The object URL of a local file lives as long as its preview.
  useEffect(() => () => void (uploadPreview && URL.revokeObjectURL(uploadPreview)), [uploadPreview]);

  const imageModel = imageModelOf(models);
  const [prompt, setPrompt] = useState(t('dhPortraitPromptDefault'));
  const [model, setModel] = useState('');
  const generation = useJob();
  // A model typed here wins: the server may have an image provider the name alone does not reveal.
  const chosenModel = model.trim() || imageModel;
  const generate = async () => {
    if (chosenModel === null) return;
    const job = await generation.run({ task: 'image', input: { prompt, model: chosenModel } });
    const image = job?.artifacts?.find((a) => a.mimeType.startsWith('image/'));
    if (!image) return;
    onChange({ source: 'artifact', id: image.id, previewUrl: artifactUrl(image.id), name: image.name ?? image.id });
    setPictures((list) => [{ ...image, url: artifactUrl(image.id), provenance: null, jobId: job?.id ?? null, createdAt: null }, ...list].slice(0, GALLERY_PICKS));
  };

  return (
    <fieldset className="portrait-picker" data-testid="portrait-picker">
      <legend>{t('dhPortrait')}</legend>
      <div className="portrait-row">
        <div className="portrait-preview" data-testid="portrait-preview" data-source={value?.source ?? ''}>
          {value ? <img src={value.previewUrl} alt={t('dhPortraitChosen')} /> : <span className="muted">{t('dhPortraitNone')}</span>}
        </div>
        <div className="portrait-ways">
          <UploadButton
            accept="image/*"
            label={t('dhPortraitUpload')}
            onUploaded={(id, file) => {
              const preview = URL.createObjectURL(file);
              setUploadPreview(preview);
              onChange({ source: 'upload', id, previewUrl: preview, name: file.name });
            }}
          />
          <div className="field">
            <span className="field-label">{t('dhPortraitFromGallery')}</span>
            {pictures.length === 0 ? (
              <p className="muted">{t('dhGalleryNoPictures')}</p>
            ) : (
              <div className="portrait-thumbs">
                {pictures.map((picture) => (
                  <button
                    type="button"
                    key={picture.id}
                    className="portrait-thumb secondary"
                    aria-pressed={value?.id === picture.id}
                    data-testid="gallery-portrait"
                    onClick={() => onChange({ source: 'artifact', id: picture.id, previewUrl: picture.url, name: picture.name ?? picture.id })}
                  >
                    <img src={picture.url} alt={picture.name ?? picture.id} translate="no" loading="lazy" />
                  </button>
                ))}
              </div>
            )}
          </div>
        </div>
      </div>
      <details className="portrait-generate" data-testid="portrait-generate">
        <summary>
          {t('dhPortraitGenerate')} <NeedsBadge kind="model" />
        </summary>
        {imageModel === null ? (
          <p className="muted" role="note" data-testid="portrait-generate-hint">
            {t('dhNoImageModel')}
          </p>
        ) : null}
        <Field label={t('dhPortraitPrompt')} wide>
          {(id) => <input id={id} value={prompt} onChange={(e) => setPrompt(e.target.value)} />}
        </Field>
        <Field label={t('model')}>{(id) => <input id={id} value={model} placeholder={imageModel ?? ''} onChange={(e) => setModel(e.target.value)} />}</Field>
        <div className="actions">
          <button type="button" className="secondary" data-testid="portrait-generate-button" disabled={chosenModel === null || generation.running || prompt.trim() === ''} onClick={() => void generate()}>
            {t('dhPortraitGenerateButton')}
          </button>
        </div>
        {generation.running ? <ProgressBar progress={generation.progress} /> : null}
        {generation.error ? <ErrorBox error={generation.error} /> : null}
      </details>
    </fieldset>
  );
}
