/**
 * Local pictures of photos still uploading, so the shopper sees what they sent at once. Keyed by
 * the outgoing message's clientId and the file's index. Object URLs live until the message is
 * discarded or the panel goes away. After a reload the photo is read back from the core's stored
 * copy instead (`client.pendingFileUrl`, see PendingFileView).
 */
export interface Previews {
  add(clientId: string, files: readonly Blob[]): void;
  get(clientId: string, index: number): string | undefined;
  release(clientId: string): void;
  clear(): void;
}

export function createPreviews(): Previews {
  const urls = new Map<string, (string | undefined)[]>();
  return {
    add(clientId, files) {
      urls.set(
        clientId,
        files.map((f) => (f.type.startsWith('image/') ? URL.createObjectURL(f) : undefined)),
      );
    },
    get: (clientId, index) => urls.get(clientId)?.[index],
    release(clientId) {
      urls.get(clientId)?.forEach((u) => u && URL.revokeObjectURL(u));
      urls.delete(clientId);
    },
    clear() {
      for (const id of [...urls.keys()]) this.release(id);
    },
  };
}
