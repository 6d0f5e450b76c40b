/**
 * Saves the bytes behind an object URL under the file's own name. The URL stays alive a while:
 * Chromium reads it after the click returns.
 */
export function saveFile(url: string, name: string, revoke: boolean): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  if (revoke) setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
