/**
 * The browser's `HttpClient` (see `environment.ts`): file uploads with progress and downloads
 * with the visitor token. Loaded on demand through `defaultHttp()`.
 */
import type { HttpResponse, UploadRequest } from './http-types.js';

/** Multipart POST with progress; rejects only on network failure or abort. */
export function upload(req: UploadRequest): Promise<HttpResponse> {
  if (typeof XMLHttpRequest === 'function') return xhrUpload(req);
  return fetchUpload(req);
}

/** GET with a bearer token; rejects on network failure, resolves non-2xx as `status`. */
export async function download(url: string, token: string): Promise<{ status: number; blob: Blob | null }> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, blob: res.ok ? await res.blob() : null };
}

function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  return Number.isFinite(s) ? s * 1000 : undefined;
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A proxy's HTML error page: the status code is all we need.
    return null;
  }
}

function formData(req: UploadRequest): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(req.fields)) form.append(k, v);
  form.append('file', req.file, req.fileName);
  return form;
}

// XMLHttpRequest because fetch() still has no upload progress in browsers.
function xhrUpload(req: UploadRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('POST', req.url);
    xhr.setRequestHeader('Authorization', `Bearer ${req.token}`);
    xhr.upload.onprogress = (e) => req.onProgress(e.loaded, e.lengthComputable ? e.total : req.file.size);
    xhr.onload = () => {
      req.signal.removeEventListener('abort', abort);
      const after = retryAfter(xhr.getResponseHeader('Retry-After'));
      resolve({ status: xhr.status, body: parse(xhr.responseText), ...(after !== undefined ? { retryAfterMs: after } : {}) });
    };
    xhr.onerror = () => {
      req.signal.removeEventListener('abort', abort);
      reject(new Error('network error'));
    };
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    req.signal.addEventListener('abort', abort, { once: true });
    xhr.send(formData(req));
  });
}

// Outside browsers (Node tests, workers without XHR): no progress events, only start and end.
async function fetchUpload(req: UploadRequest): Promise<HttpResponse> {
  req.onProgress(0, req.file.size);
  const res = await fetch(req.url, {
    method: 'POST',
    headers: { Authorization: `Bearer ${req.token}` },
    body: formData(req),
    signal: req.signal,
  });
  const body = parse(await res.text());
  if (res.ok) req.onProgress(req.file.size, req.file.size);
  const after = retryAfter(res.headers.get('Retry-After'));
  return { status: res.status, body, ...(after !== undefined ? { retryAfterMs: after } : {}) };
}
