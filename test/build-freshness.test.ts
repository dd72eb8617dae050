// scripts/build.js: what makes dist/ stale. Every command runs this check first, so it must see
// every edit of a source and nothing else.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const { inputFingerprint, INPUTS } = require(path.resolve(__dirname, '..', 'scripts', 'build.js')) as {
  inputFingerprint: (root?: string) => Record<string, string>;
  INPUTS: string[];
};

describe('build inputs fingerprint', () => {
  let root: string;
  const write = (rel: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-inputs-'));
    write('main.ts', 'main');
    write('lib/b/z.ts', 'z');
    write('lib/a.ts', 'a');
    write('lib/notes.md', 'not an input');
    write('schemas/api-schemas.json', '{}');
    write('scripts/build.js', 'build');
    write('scripts/other.js', 'not listed');
    write('package-lock.json', '{}');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  test('lists every .ts, .js and .json file under the inputs, sorted, with its size and mtime', () => {
    const fp = inputFingerprint(root);
    expect(Object.keys(fp)).toEqual(['main.ts', 'lib/a.ts', 'lib/b/z.ts', 'schemas/api-schemas.json', 'package-lock.json', 'scripts/build.js']);
    const st = fs.statSync(path.join(root, 'lib/b/z.ts'));
    expect(fp['lib/b/z.ts']).toBe(`${st.size}:${st.mtimeMs}`);
    expect(INPUTS).toEqual(expect.arrayContaining(['main.ts', 'lib', 'constructs', 'charts', 'commands', 'schemas', 'package-lock.json']));
  });

  test('changes on an edit, a new file or a removed one; not on other files', () => {
    const before = JSON.stringify(inputFingerprint(root));
    expect(JSON.stringify(inputFingerprint(root))).toBe(before);
    write('lib/notes.md', 'edited');
    write('README.md', 'edited');
    expect(JSON.stringify(inputFingerprint(root))).toBe(before);

    write('lib/b/z.ts', 'z2');
    const edited = JSON.stringify(inputFingerprint(root));
    expect(edited).not.toBe(before);
    // Same size, later mtime: still seen.
    fs.utimesSync(path.join(root, 'lib/a.ts'), new Date(), new Date(Date.now() + 5_000));
    expect(JSON.stringify(inputFingerprint(root))).not.toBe(edited);

    write('charts/new.ts', 'new');
    expect(Object.keys(inputFingerprint(root))).toContain('charts/new.ts');
    fs.rmSync(path.join(root, 'lib/b'), { recursive: true });
    expect(Object.keys(inputFingerprint(root))).not.toContain('lib/b/z.ts');
  });

  test('follows a symlinked folder, as the bundler does', () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'build-inputs-linked-'));
    try {
      fs.writeFileSync(path.join(elsewhere, 'shared.ts'), 'shared');
      fs.symlinkSync(elsewhere, path.join(root, 'lib', 'linked'));
      expect(Object.keys(inputFingerprint(root))).toContain('lib/linked/shared.ts');
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
