/** Saves a Blob as a file through an `<a download>` click (no server round trip). */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken its own reference by now; a later revoke frees the (possibly large) Blob.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file-name-safe stem from a dataset name. */
export function fileStem(name: string): string {
  return name.trim().replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^_+|_+$/g, '') || 'dataset';
}
