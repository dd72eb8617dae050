import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file below `dir`, by posix path relative to it, with its content. */
export function treeFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else out.set(child, fs.readFileSync(path.join(dir, child), 'utf8'));
    }
  };
  walk('');
  return out;
}

/** Every file below `dir` with its bytes, mtime and inode: what "left as it was" compares. */
export function treeState(dir: string): Map<string, { content: string; mtimeMs: number; ino: number }> {
  const out = new Map<string, { content: string; mtimeMs: number; ino: number }>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else {
        const st = fs.statSync(path.join(dir, child));
        out.set(child, { content: fs.readFileSync(path.join(dir, child), 'utf8'), mtimeMs: st.mtimeMs, ino: st.ino });
      }
    }
  };
  walk('');
  return out;
}
