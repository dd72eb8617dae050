// Suites that run a program from a Debian package (a Lua interpreter, the Go toolchain): CI
// installs them (.ci/run), a developer's machine may not have them.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Whether this is a CI run (CI set to anything but empty, 0 or false). */
export function isCi(): boolean {
  return process.env.CI !== undefined && !['', '0', 'false'].includes(process.env.CI.toLowerCase());
}

/** Whether `file` is a file this process may execute. */
export function isExecutableFile(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The path of an executable `name` on PATH (or in the extra folders), or undefined. */
export function findExecutable(name: string, extraDirs: readonly string[] = []): string | undefined {
  return [...(process.env.PATH ?? '').split(path.delimiter), ...extraDirs]
    .filter(Boolean)
    .map((dir) => path.join(dir, name))
    .find(isExecutableFile);
}

/**
 * `describe` when nothing is `missing`. Otherwise CI gets a failing test saying what is missing
 * and how to install it, and a developer's machine gets the suite skipped with a warning.
 */
export function describeNeeding(name: string, missing: string | undefined, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  const message = `"${name}" cannot run: ${missing}`;
  if (isCi()) {
    describe(name, () => {
      test('needs a system package, which CI must install', () => {
        throw new Error(message);
      });
    });
  } else {
    console.warn(`SKIPPED: ${message}`);
    describe.skip(name, () => test('needs a system package', () => undefined));
  }
}
