/** `meshy:…`, `tripo:…`, `rodin:…`, `fal:…`, `replicate:…`: a cloud 3D model rather than a text model. Kept import-free for task routing. */
export function isCloud3dSpec(spec: string): boolean {
  return /^(meshy|tripo|rodin|fal|replicate)(:|$)/.test(spec);
}
