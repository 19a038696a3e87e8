import { errorFromBody } from './http.ts';

/** What POST /api/uploads answers: an id usable as any media input of a job. */
export interface UploadView {
  id: string;
  name: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: string;
  expiresAt: string;
}

/**
 * Sends a file's raw bytes to POST /api/uploads. XMLHttpRequest, not fetch: only it reports
 * upload progress (a large video takes a while). Rejects with the server's ApiError.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadView> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/uploads?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', file.type === '' ? 'application/octet-stream' : file.type);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the text is still the best error message.
      }
      if (xhr.status === 201) resolve(body as UploadView);
      else reject(errorFromBody(body, xhr.status));
    };
    xhr.onerror = () => reject(errorFromBody('the upload failed (network error)', 0));
    xhr.onabort = () => reject(new DOMException('upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
