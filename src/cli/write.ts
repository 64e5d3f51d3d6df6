/**
 * Writing a report that arrives in pieces (see report/json-pieces.ts),
 * joined into chunks of about 64 KiB and never more than one chunk ahead of
 * a slow reader: a large report is neither one string in memory nor a queue
 * of writes waiting for the reader.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

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

/**
 * Writes the pieces to `file`, replacing what it held only once every piece is
 * written: a report that fails midway (a full disk, a size limit, a formatter's
 * bug) leaves the old file as it was, not half a report that a later CI step
 * would upload as a whole one. The pieces go to a new file beside it, renamed
 * over it at the end; the file keeps its mode, and a symbolic link keeps
 * pointing where it did. Anything but a regular file (a FIFO, `/dev/stdout`),
 * a file with other hard links, and a folder where pipewarden may not create
 * that new file, are written in place.
 */
export async function writePiecesToFile(file: string, pieces: Iterable<string>): Promise<void> {
  const failed = cannotWrite(file);
  const target = await replaceable(file, failed);
  if (target === undefined) return writeInPlace(file, pieces, failed);
  // Short, whatever the report's name: a name near the file system's limit must still leave room for it.
  const temp = path.join(path.dirname(target.path), `.pipewarden-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  let handle: fs.FileHandle;
  try {
    // `wx` creates the name or fails: it never writes through something already there.
    handle = await fs.open(temp, 'wx', 0o666);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return writeInPlace(file, pieces, failed);
    return failed(err);
  }
  try {
    try {
      await writeAll(handle, pieces, failed);
      if (target.mode !== undefined) await handle.chmod(target.mode).catch(failed);
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target.path).catch(failed);
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The regular file `file` names (through links) and its mode, or undefined when the report must be written in place. */
async function replaceable(file: string, failed: (err: unknown) => never): Promise<{ path: string; mode?: number } | undefined> {
  const st = await fs.stat(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : failed(err)));
  if (st === null) {
    // A link to nothing yet: writing through it creates its target, as before.
    const link = await fs.lstat(file).catch(() => undefined);
    return link ? undefined : { path: file };
  }
  // A file with other hard links is rewritten in place, so that every name of it holds the new report.
  if (!st.isFile() || st.nlink > 1) return undefined;
  return { path: await fs.realpath(file).catch(failed), mode: st.mode & 0o7777 };
}

/** Turns a failed file operation into the one-line message the CLI prints (a code), or lets a bug through as it is. */
function cannotWrite(file: string): (err: unknown) => never {
  return (err) => {
    const code = (err as NodeJS.ErrnoException).code;
    throw code ? new OutputError(`cannot write ${file}: ${code}`) : err;
  };
}

async function writeInPlace(file: string, pieces: Iterable<string>, failed: (err: unknown) => never): Promise<void> {
  const handle = await fs.open(file, 'w').catch(failed);
  try {
    await writeAll(handle, pieces, failed);
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: fs.FileHandle, pieces: Iterable<string>, failed: (err: unknown) => never): Promise<void> {
  for (const chunk of batched(pieces)) {
    const bytes = Buffer.from(chunk, 'utf8');
    // A write may take fewer bytes than given (a file size limit, a full disk): the next one then says why.
    for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at).catch(failed)).bytesWritten;
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
