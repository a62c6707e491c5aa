/**
 * Binary payloads (model files, token ids, embeddings) go into IndexedDB as Blobs. Chromium refuses a value
 * whose serialized size is over about 133 MB ("The serialized keys and/or value are too large"), which an
 * ArrayBuffer of a 470 MB model file or of a large corpus's token ids is; it stores a Blob of any size as a
 * file. Records written before hold ArrayBuffers, which are still read.
 */
export type StoredBytes = Blob | ArrayBuffer;

export function toStoredBytes(bytes: ArrayBuffer | ArrayBufferView): Blob {
  return new Blob([bytes instanceof ArrayBuffer ? bytes : new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength)]);
}

export async function fromStoredBytes(v: StoredBytes): Promise<ArrayBuffer> {
  return v instanceof ArrayBuffer ? v : v.arrayBuffer();
}

/** Its length in bytes, without reading it. */
export function storedByteLength(v: StoredBytes): number {
  return v instanceof ArrayBuffer ? v.byteLength : v.size;
}
