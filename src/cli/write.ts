/**
 * Writing a report that arrives in pieces (see report/json-pieces.ts),
 * joined into chunks of about 64 KiB and never more than one chunk ahead of
 * a slow reader: a large report is neither one string in memory nor a queue
 * of writes waiting for the reader.
 */
import { promises as fs } from 'node:fs';

export async function writePieces(stream: NodeJS.WritableStream, pieces: Iterable<string>): Promise<void> {
  let full = false;
  for (const chunk of batched(pieces)) {
    // Only between chunks: after the last one the launcher sees the queued output and waits for it (bin/pipewarden.js).
    if (full) await drained(stream);
    full = !stream.write(chunk);
  }
}

/** The report file cannot be opened or written (a folder in its place, a full disk, a size limit). */
export class OutputError extends Error {}

/** Writes the pieces to `file`, replacing what it held. */
export async function writePiecesToFile(file: string, pieces: Iterable<string>): Promise<void> {
  const failed = (err: unknown): never => {
    const code = (err as NodeJS.ErrnoException).code;
    throw code ? new OutputError(`cannot write ${file}: ${code}`) : err;
  };
  const handle = await fs.open(file, 'w').catch(failed);
  try {
    for (const chunk of batched(pieces)) {
      const bytes = Buffer.from(chunk, 'utf8');
      // A write may take fewer bytes than given (a file size limit, a full disk): the next one then says why.
      for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at).catch(failed)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}

/** Resolves once the stream asks for more; rejects when it fails instead (a reader gone, a full disk). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      settle();
      resolve();
    };
    const failed = (e: unknown) => {
      settle();
      reject(e);
    };
    const settle = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', failed);
    };
    stream.once('drain', done);
    // A stream closed while full never drains: its 'error' (if any) says why, and the launcher reports it.
    stream.once('close', done);
    stream.once('error', failed);
  });
}

/** Joins pieces into chunks of about `size` characters, for fewer, larger writes. */
export function* batched(pieces: Iterable<string>, size = 64 * 1024): Generator<string> {
  let held: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    held.push(piece);
    length += piece.length;
    if (length >= size) {
      yield held.join('');
      held = [];
      length = 0;
    }
  }
  if (length > 0) yield held.join('');
}
