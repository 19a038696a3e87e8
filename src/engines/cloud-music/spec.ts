/** `elevenlabs:…`, `replicate:…`, `fal:…` (the preset names): a cloud music model rather than a text model. Kept import-free for task routing. */
export function isCloudMusicSpec(spec: string): boolean {
  return /^(elevenlabs|replicate|fal)(:|$)/.test(spec);
}
