/**
 * The HTTP the client needs (uploads with progress, authenticated downloads, logout), as types of
 * their own: the environment (which loads `http.ts` on demand) and `http.ts` both use them
 * without importing each other.
 */
export interface UploadRequest {
  url: string;
  token: string;
  file: Blob;
  fileName: string;
  fields: Record<string, string>;
  onProgress: (loaded: number, total: number) => void;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON body, or null. */
  body: unknown;
  /** `Retry-After` in ms when present. */
  retryAfterMs?: number;
}

export interface HttpClient {
  /** Multipart POST with progress; rejects only on network failure or abort. */
  upload(request: UploadRequest): Promise<HttpResponse>;
  /** GET with a bearer token; rejects on network failure, resolves non-2xx as `status`. */
  download(url: string, token: string): Promise<{ status: number; blob: Blob | null }>;
  /** DELETE with a bearer token that outlives the page (`keepalive`): the logout's session revocation. */
  logout?(url: string, token: string): Promise<number>;
}
