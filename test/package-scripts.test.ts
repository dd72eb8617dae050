// The npm scripts and the bundles they run: what each script starts, which of them may skip the
// extra CA certificates at boot, and the shape of dist/ that the fast start-up path relies on.
import { isAscii } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const scripts: Record<string, string> = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).scripts;
const RUN = /^(NODE_EXTRA_CA_CERTS= )?node ((?:--\S+ )*)scripts\/run\.js (\S+)$/;

const entries = Object.entries(scripts)
  .map(([name, command]) => ({ name, match: RUN.exec(command) }))
  .filter((e): e is { name: string; match: RegExpExecArray } => e.match !== null)
  .map(({ name, match }) => ({ name, offline: match[1] !== undefined, nodeOptions: match[2]!.trim(), entry: match[3]! }));

/** What in a bundle of `entry` can open a connection: network built-ins, global fetch, the AWS SDK. */
function networkUse(entry: string): string[] {
  const { metafile } = buildSync({
    entryPoints: [path.join(PROJECT_ROOT, `${entry}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const uses: string[] = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const i of input.imports) if (i.external && NETWORK_BUILTINS.test(i.path)) uses.push(`${file} imports ${i.path}`);
    if (file.includes('@aws-sdk/')) uses.push(file);
    else if (!file.includes('node_modules/') && /\b(fetch|WebSocket)\(/.test(fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'))) {
      uses.push(`${file} calls fetch`);
    }
  }
  return [...new Set(uses)];
}

const NETWORK_BUILTINS = /^(node:)?(https?|http2|tls|net|dgram|undici)$/;

describe('npm scripts', () => {
  test('every script that runs an entry names one that exists', () => {
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['synth', 'validate', 'notify', 's3-preflight', 'publish']));
    for (const { entry } of entries) expect({ entry, exists: fs.existsSync(path.join(PROJECT_ROOT, `${entry}.ts`)) }).toEqual({ entry, exists: true });
  });

  test('every entry starts under the same Node options, so the bench times what synth runs', () => {
    // One V8 worker thread: on this project's 2-core runners a short run is ~20 ms faster, and a
    // 1000-service synth is no slower (README.md, "Performance").
    expect(Object.fromEntries(entries.map((e) => [e.name, e.nodeOptions]))).toEqual(
      Object.fromEntries(entries.map((e) => [e.name, '--v8-pool-size=1'])),
    );
    expect(entries.map((e) => e.name)).toEqual(expect.arrayContaining(['synth', 'bench']));
  });

  test('synth and validate skip the extra CA certificates; commands that connect out keep them', () => {
    const offline = Object.fromEntries(entries.map((e) => [e.name, e.offline]));
    expect(offline).toMatchObject({ synth: true, validate: true, notify: false, 's3-preflight': false, publish: false });
  });

  test.each(entries.filter((e) => e.offline).map((e) => [e.name, e.entry]))(
    '%s skips the CA certificates, so its bundle opens no network connection (%s)',
    (_name, entry) => {
      expect(networkUse(entry)).toEqual([]);
    },
    60_000,
  );

  test('the check above does see network clients: the Discord webhook and the S3 SDK', () => {
    const entry = (name: string): string => entries.find((e) => e.name === name)!.entry;
    expect(networkUse(entry('notify'))).toEqual(expect.arrayContaining([expect.stringContaining('discord-webhook.ts calls fetch')]));
    expect(networkUse(entry('s3-preflight'))).toEqual(expect.arrayContaining([expect.stringContaining('@aws-sdk/')]));
  }, 60_000);
});

describe('dist/', () => {
  beforeAll(() => {
    // The same build `npm run <script>` runs first; a no-op when dist/ is current.
    require(path.join(PROJECT_ROOT, 'scripts', 'build.js')).build({ quiet: true });
  }, 120_000);

  const modules: string[] = [];
  beforeAll(() => {
    const visit = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) visit(file);
        else if (entry.name.endsWith('.js')) modules.push(file);
      }
    };
    visit(path.join(PROJECT_ROOT, 'dist'));
  });

  test('every bundled module is ASCII, so run.js reads it as a one-byte string without decoding', () => {
    expect(modules.length).toBeGreaterThan(3);
    const nonAscii = modules.filter((file) => !isAscii(fs.readFileSync(file))).map((file) => path.relative(PROJECT_ROOT, file));
    expect(nonAscii).toEqual([]);
  });

  test('every bundled module is written inside the CommonJS wrapper, its source-map comment last', () => {
    const { MODULE_PREFIX } = require(path.join(PROJECT_ROOT, 'scripts', 'build.js'));
    for (const file of modules) {
      const text = fs.readFileSync(file, 'latin1');
      const name = path.relative(PROJECT_ROOT, file);
      expect({ name, wrapped: text.startsWith(MODULE_PREFIX) }).toEqual({ name, wrapped: true });
      if (fs.existsSync(`${file}.map`)) expect(text.endsWith(`\n});\n//# sourceMappingURL=${path.basename(file)}.map\n`)).toBe(true);
      else expect(text.endsWith('\n});\n')).toBe(true);
      // As a script (how run.js compiles it) the text yields the module function, and runs nothing.
      const vm = require('node:vm') as typeof import('node:vm');
      expect(typeof new vm.Script(text, { filename: file }).runInThisContext()).toBe('function');
    }
  });

  test('the synth bundle holds one copy of the yaml library, though cdk8s ships its own of the same version', () => {
    const sources: string[] = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'dist', 'main.js.map'), 'utf8')).sources;
    const version = (dir: string): string => JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, dir, 'package.json'), 'utf8')).version;
    expect(version('node_modules/cdk8s/node_modules/yaml')).toBe(version('node_modules/yaml'));
    expect(sources.some((s) => s.includes('node_modules/yaml/dist/'))).toBe(true);
    expect(sources.filter((s) => s.includes('node_modules/cdk8s/node_modules/yaml/'))).toEqual([]);
    // cdk8s's own YAML module is there (mapped back to its TypeScript source), using the shared copy.
    expect(sources.some((s) => /node_modules\/cdk8s\/(lib|src)\/yaml\.(js|ts)$/.test(s))).toBe(true);
  });

  test('a bundled command still runs when Node loads it directly', () => {
    const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'dist', 'commands', 'validate.js'), '--help'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: npm run validate/);
  });
});
