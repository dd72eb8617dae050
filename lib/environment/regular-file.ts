import * as fs from 'node:fs';

/** What a directory entry is, in words a message can use as is. */
export type FileKind =
  | 'a regular file'
  | 'a symbolic link'
  | 'a directory'
  | 'a FIFO'
  | 'a socket'
  | 'a character device'
  | 'a block device'
  | 'an entry of unknown type';

/**
 * Why configuration files must not be symbolic links, for every message refusing one. Links are
 * refused, never followed: the file a reviewer sees in a pull request would not be what is read.
 */
export const SYMLINKS_REFUSED =
  "symbolic links are refused, never followed: a link's target can change, or point outside the " +
  'repository, without any change to the file reviewers see in a pull request';

/** The kind of an entry, from `lstat`-level information (a link is a link, not its target). */
export function fileKind(entry: fs.Stats | fs.Dirent): FileKind {
  if (entry.isSymbolicLink()) return 'a symbolic link';
  if (entry.isFile()) return 'a regular file';
  if (entry.isDirectory()) return 'a directory';
  if (entry.isFIFO()) return 'a FIFO';
  if (entry.isSocket()) return 'a socket';
  if (entry.isCharacterDevice()) return 'a character device';
  if (entry.isBlockDevice()) return 'a block device';
  return 'an entry of unknown type';
}

/** The kind of `file` itself (never of a link's target), with the link's target for a link. */
export function describeEntry(file: string): { kind: FileKind; linkTarget?: string } | undefined {
  const stats = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stats) return undefined;
  const kind = fileKind(stats);
  if (kind !== 'a symbolic link') return { kind };
  try {
    // Reads the link itself; its target is never opened.
    return { kind, linkTarget: fs.readlinkSync(file) };
  } catch {
    return { kind };
  }
}

/** The outcome of `readRegularFile`: the text, or why it was not read. */
export type RegularFileRead =
  | { readonly text: string }
  | { readonly refused: 'kind'; readonly kind: FileKind; readonly linkTarget?: string }
  | { readonly refused: 'size'; readonly size: number; readonly limit: number }
  | { readonly refused: 'unreadable'; readonly code: string | undefined; readonly cause: string };

// Absent on platforms without them; there the lstat check alone guards the open.
const NO_FOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NO_BLOCK = fs.constants.O_NONBLOCK ?? 0;

/**
 * Reads `file` as UTF-8 only when it is a regular file of at most `limit` bytes. Anything else is
 * never opened: a FIFO would block the read forever, a device could stream without end, and a
 * symbolic link is refused (see `SYMLINKS_REFUSED`). The open itself neither follows a link nor
 * blocks, and the opened file is checked again, so an entry swapped between the check and the
 * open is refused as well. A file larger than the limit is refused without reading it.
 */
export function readRegularFile(file: string, limit: number): RegularFileRead {
  let fd: number | undefined;
  try {
    const entry = describeEntry(file);
    if (entry && entry.kind !== 'a regular file') return { refused: 'kind', ...entry };
    fd = fs.openSync(file, fs.constants.O_RDONLY | NO_FOLLOW | NO_BLOCK);
    const stats = fs.fstatSync(fd);
    if (!stats.isFile()) return { refused: 'kind', kind: fileKind(stats) };
    if (stats.size > limit) return { refused: 'size', size: stats.size, limit };
    // One byte more than allowed tells a file that grew past the limit since fstat.
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, limit) + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, length);
      if (n === 0) break;
      length += n;
    }
    if (length > limit) return { refused: 'size', size: Math.max(stats.size, length), limit };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    // O_NOFOLLOW met a link that replaced the file after the check.
    if (error.code === 'ELOOP') return { refused: 'kind', kind: 'a symbolic link' };
    return { refused: 'unreadable', code: error.code, cause: error.message };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
