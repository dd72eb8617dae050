import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadGitopsConfig } from '../lib/environment/gitops-config';
import { ConfigError, ConfigProblem, MAX_PRINTED_PROBLEMS_PER_FILE } from '../lib/environment/config-error';
import { ENVIRONMENT_FILE_LIMIT, loadEnvironments } from '../lib/environment/load-environments';
import { environmentFile, environmentNames } from '../lib/pipeline/environment-file';
import { PipelineError } from '../lib/pipeline/pipeline-error';
import { configError } from './support/config-error';
import { FIXTURE_ENVIRONMENTS } from './support/fixture-project';

// Every entry of environments/ named like an environment file is loaded or refused by name:
// skipping one would remove its environment from gitops/, and Argo CD would prune it. And bad
// input is refused quickly, with a bounded message. Everything runs on copies in temp folders.

const ROOT = path.resolve(__dirname, '..');
const RUN = path.join(ROOT, 'scripts', 'run.js');
const IS_ROOT = process.getuid?.() === 0;
/** The unprivileged user the unreadable-file check runs as when the tests run as root. */
const NOBODY = 65534;
/** Refusals of bad input must take less than this, measured in-process and through the CLI. */
const BUDGET_MS = 2000;
/**
 * Most timed runs per measurement, the fastest counting: other work on a shared machine only
 * ever slows a run down, so the fastest is the one closest to what the code itself costs.
 */
const TIMED_RUNS = 3;

/**
 * `run`'s result and its fastest time in milliseconds, over up to `TIMED_RUNS` runs: it stops at
 * the first run within the budget.
 */
function fastest<T>(run: () => T): { result: T; ms: number } {
  let best: { result: T; ms: number } | undefined;
  for (let i = 0; i < TIMED_RUNS && !(best && best.ms < BUDGET_MS); i++) {
    const started = process.hrtime.bigint();
    const result = run();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!best || ms < best.ms) best = { result, ms };
  }
  return best!;
}

let tmp: string;
/** A project folder: a copy of the fixture environments and the gitops/ tree synth made from them. */
let template: string;
let counter = 0;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'environment-entries-'));
  // Readable by the unprivileged user of the unreadable-file check (mkdtemp makes it 0700).
  fs.chmodSync(tmp, 0o755);
  // Bundles dist/ once, so no CLI run below pays for (or times) a build.
  spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
  template = path.join(tmp, 'template');
  fs.mkdirSync(template);
  fs.cpSync(FIXTURE_ENVIRONMENTS, path.join(template, 'environments'), { recursive: true });
  const first = synthCli(template);
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  // The validator compiles on first use; the timed loads below measure the loading alone.
  loadEnvironments(path.join(template, 'environments'), { root: template });
}, 180_000);

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh copy of the template project. */
function project(): { root: string; envDir: string; outDir: string } {
  const root = path.join(tmp, `project-${++counter}`);
  fs.cpSync(template, root, { recursive: true });
  return { root, envDir: path.join(root, 'environments'), outDir: path.join(root, 'gitops') };
}

function synthCli(cwd: string, options: { uid?: number } = {}) {
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  return spawnSync(process.execPath, [RUN, 'main', '--environments', 'environments', '--out', 'gitops'], {
    cwd,
    encoding: 'utf8',
    // A run blocked on a FIFO fails the test instead of hanging it.
    timeout: 60_000,
    ...ids,
  });
}

/** Every entry below `dir` with its bytes: what "gitops/ is untouched" compares. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else out.set(child, fs.readFileSync(path.join(dir, child)));
    }
  };
  walk('');
  return out;
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/**
 * Runs `load` with a FIFO present. Should the code under test open the FIFO, it would block
 * forever; a helper process then opens the other end after a few seconds, so the open returns,
 * the test finishes and its assertions fail instead of hanging the run.
 */
function withFifoWatchdog<T>(fifo: string, load: () => T): T {
  if (!fs.lstatSync(fifo, { throwIfNoEntry: false })?.isFIFO()) return load();
  const watchdog: ChildProcess = spawn(
    process.execPath,
    ['-e', 'setTimeout(() => require("node:fs").writeFileSync(process.argv[1], ""), 5000)', fifo],
    { stdio: 'ignore' },
  );
  try {
    return load();
  } finally {
    watchdog.kill('SIGKILL');
  }
}

const SYMLINK_ALLOWED =
  "a regular file; symbolic links are refused, never followed: a link's target can change, or point outside the " +
  'repository, without any change to the file reviewers see in a pull request; replace the link with the file it points to';
const kindAllowed = (kind: string) =>
  `a regular file (an entry named like an environment file is either loaded or refused, and ${kind} is never opened); ` +
  'move it out of the folder or rename it';
const LOWERCASE =
  "in lowercase (the base name is the environment's name, and names differing only in case are one file on some systems)";

interface EntryCase {
  /** The entry, as the test names read. */
  readonly what: string;
  /** Turns environments/prod.yaml into the entry; returns the message line it must produce. */
  readonly arrange: (envDir: string) => string;
  readonly needsUnprivilegedUser?: boolean;
}

const ENTRY_CASES: EntryCase[] = [
  {
    what: 'a symbolic link prod.yaml to an identical file inside the folder',
    arrange: (envDir) => {
      fs.mkdirSync(path.join(envDir, 'shared'));
      fs.renameSync(path.join(envDir, 'prod.yaml'), path.join(envDir, 'shared', 'prod.yaml'));
      fs.symlinkSync('shared/prod.yaml', path.join(envDir, 'prod.yaml'));
      return `environments/prod.yaml:1:1: (file type): "a symbolic link to shared/prod.yaml" — ${SYMLINK_ALLOWED}`;
    },
  },
  {
    what: 'a symbolic link prod.yaml to a file outside the repository',
    arrange: (envDir) => {
      const outside = fs.mkdtempSync(path.join(tmp, 'outside-'));
      const target = path.join(outside, 'prod.yaml');
      fs.renameSync(path.join(envDir, 'prod.yaml'), target);
      fs.symlinkSync(target, path.join(envDir, 'prod.yaml'));
      return `environments/prod.yaml:1:1: (file type): "a symbolic link to ${target}" — ${SYMLINK_ALLOWED}`;
    },
  },
  {
    what: 'a directory named prod.yaml',
    arrange: (envDir) => {
      fs.rmSync(path.join(envDir, 'prod.yaml'));
      fs.mkdirSync(path.join(envDir, 'prod.yaml'));
      return `environments/prod.yaml:1:1: (file type): "a directory" — ${kindAllowed('a directory')}`;
    },
  },
  {
    what: 'a FIFO named prod.yaml',
    arrange: (envDir) => {
      fs.rmSync(path.join(envDir, 'prod.yaml'));
      mkfifo(path.join(envDir, 'prod.yaml'));
      return `environments/prod.yaml:1:1: (file type): "a FIFO" — ${kindAllowed('a FIFO')}`;
    },
  },
  {
    what: 'an upper-case name Prod.yaml',
    arrange: (envDir) => {
      fs.renameSync(path.join(envDir, 'prod.yaml'), path.join(envDir, 'Prod.yaml'));
      return `environments/Prod.yaml:1:1: (file name): "Prod.yaml" — an environment file named <name>.yaml, ${LOWERCASE}; rename it to prod.yaml`;
    },
  },
  {
    what: 'an upper-case extension prod.YAML',
    arrange: (envDir) => {
      fs.renameSync(path.join(envDir, 'prod.yaml'), path.join(envDir, 'prod.YAML'));
      return `environments/prod.YAML:1:1: (file name): "prod.YAML" — an environment file named <name>.yaml, ${LOWERCASE}; rename it to prod.yaml`;
    },
  },
  {
    what: 'a hidden file .prod.yaml',
    arrange: (envDir) => {
      fs.renameSync(path.join(envDir, 'prod.yaml'), path.join(envDir, '.prod.yaml'));
      return (
        'environments/.prod.yaml:1:1: (file name): ".prod.yaml" — an environment file named <name>.yaml, ' +
        'not hidden (a hidden file is easy to miss in review and in ls); rename it to prod.yaml'
      );
    },
  },
  {
    what: 'a file prod.yml',
    arrange: (envDir) => {
      fs.renameSync(path.join(envDir, 'prod.yaml'), path.join(envDir, 'prod.yml'));
      return 'environments/prod.yml:1:1: (file name): "prod.yml" — an environment file named <name>.yaml; rename it to prod.yaml';
    },
  },
  {
    what: 'a prod.yaml that cannot be read',
    needsUnprivilegedUser: true,
    arrange: (envDir) => {
      const file = path.join(envDir, 'prod.yaml');
      fs.chmodSync(file, 0o000);
      return `environments/prod.yaml:1:1: (file): "EACCES" — an environment file synth can read (EACCES: permission denied, open '${file}')`;
    },
  },
];

describe('an entry of environments/ named like an environment file', () => {
  test.each(ENTRY_CASES.map((c) => [c.what, c] as const))('%s is refused by name when loading', (_what, entry) => {
    if (entry.needsUnprivilegedUser && IS_ROOT) {
      // Root reads any file; the CLI test of this case runs as an unprivileged user instead.
      console.warn('running as root: the in-process check of an unreadable file is skipped');
      return;
    }
    const p = project();
    const expected = entry.arrange(p.envDir);
    const fifo = path.join(p.envDir, 'prod.yaml');

    const error = configError(() => withFifoWatchdog(fifo, () => loadEnvironments(p.envDir, { root: p.root })));

    expect(error.message.split('\n')).toEqual([expected]);
  });

  test.each(ENTRY_CASES.map((c) => [c.what, c] as const))(
    '%s makes the real synth exit 1 naming it, leaving gitops/ byte-identical',
    (_what, entry) => {
      const p = project();
      const expected = entry.arrange(p.envDir);
      const asNobody = entry.needsUnprivilegedUser && IS_ROOT;
      if (asNobody) {
        execFileSync('chmod', ['-R', 'a+rX', p.root]);
        fs.chmodSync(path.join(p.envDir, 'prod.yaml'), 0o000);
        // The unprivileged run cannot write dist/: bundle now whatever changed since beforeAll.
        spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'ignore' });
      }
      const before = snapshot(p.outDir);

      const run = synthCli(p.root, asNobody ? { uid: NOBODY } : {});

      expect(run.error).toBeUndefined();
      expect(run.stderr.split('\n')).toEqual([expected, 'synth: nothing written; gitops/ is unchanged', '']);
      expect(run.status).toBe(1);
      expect(snapshot(p.outDir)).toEqual(before);
    },
    90_000,
  );

  test('README.md and .gitkeep beside the environment files are ignored', () => {
    const p = project();
    fs.writeFileSync(path.join(p.envDir, 'README.md'), 'not an environment');
    fs.writeFileSync(path.join(p.envDir, '.gitkeep'), '');

    const names = loadEnvironments(p.envDir, { root: p.root }).map((e) => e.name);

    expect(names).toEqual(['dev', 'prod', 'staging']);
  });

  test('every refused entry of every environment is reported in one error', () => {
    const p = project();
    fs.renameSync(path.join(p.envDir, 'prod.yaml'), path.join(p.envDir, 'Prod.yaml'));
    fs.renameSync(path.join(p.envDir, 'staging.yaml'), path.join(p.envDir, '.staging.yaml'));

    const error = configError(() => loadEnvironments(p.envDir, { root: p.root }));

    expect(error.problems.map((x) => `${x.file} ${x.field}`)).toEqual([
      'environments/.staging.yaml (file name)',
      'environments/Prod.yaml (file name)',
    ]);
  });

  test('asking for one environment whose entry is refused reports the refusal, not an unknown environment', () => {
    const p = project();
    fs.renameSync(path.join(p.envDir, 'prod.yaml'), path.join(p.envDir, 'prod.YAML'));

    const error = configError(() => loadEnvironments(p.envDir, { root: p.root, only: ['prod'] }));

    expect(error.problems.map((x) => x.file)).toEqual(['environments/prod.YAML']);
  });
});

describe('gitops.config.yaml', () => {
  const CONFIG = fs.readFileSync(path.join(ROOT, 'gitops.config.yaml'), 'utf8');

  function configProblems(file: string): string[] {
    return configError(() => withFifoWatchdog(file, () => loadGitopsConfig(file, { root: path.dirname(file) }))).message.split('\n');
  }

  test('as a symbolic link is refused, never followed', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'config-'));
    fs.writeFileSync(path.join(dir, 'real.yaml'), CONFIG);
    fs.symlinkSync('real.yaml', path.join(dir, 'gitops.config.yaml'));

    expect(configProblems(path.join(dir, 'gitops.config.yaml'))).toEqual([
      'gitops.config.yaml:1:1: (file type): "a symbolic link to real.yaml" — a regular gitops.config.yaml; symbolic links are ' +
        "refused, never followed: a link's target can change, or point outside the repository, without any change to the " +
        'file reviewers see in a pull request; replace the link with the file it points to',
    ]);
  });

  test('as a FIFO is refused without being opened', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'config-'));
    mkfifo(path.join(dir, 'gitops.config.yaml'));

    expect(configProblems(path.join(dir, 'gitops.config.yaml'))).toEqual([
      'gitops.config.yaml:1:1: (file type): "a FIFO" — a regular gitops.config.yaml with repository.url, ' +
        'repository.targetRevision, argocd.namespace, argocd.url, argocd.project and argocd.minVersion (a FIFO is never opened)',
    ]);
  });

  test('as a directory is refused, naming it', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'config-'));
    fs.mkdirSync(path.join(dir, 'gitops.config.yaml'));

    expect(configProblems(path.join(dir, 'gitops.config.yaml'))).toEqual([
      'gitops.config.yaml:1:1: (file type): "a directory" — a regular gitops.config.yaml with repository.url, ' +
        'repository.targetRevision, argocd.namespace, argocd.url, argocd.project and argocd.minVersion (a directory is never opened)',
    ]);
  });
});

describe('the pipeline commands', () => {
  function pipelineError(locate: () => unknown): PipelineError {
    try {
      locate();
    } catch (e) {
      expect(e).toBeInstanceOf(PipelineError);
      return e as PipelineError;
    }
    throw new Error('expected a PipelineError');
  }

  test('refuse a symlinked environment file up front, naming it and why', () => {
    const p = project();
    fs.renameSync(path.join(p.envDir, 'prod.yaml'), path.join(p.envDir, 'prod.txt'));
    fs.symlinkSync('prod.txt', path.join(p.envDir, 'prod.yaml'));

    expect(pipelineError(() => environmentFile(p.root, 'prod')).message).toBe(
      'environments/prod.yaml is a symbolic link to prod.txt, not a regular file: symbolic links are refused, never ' +
        "followed: a link's target can change, or point outside the repository, without any change to the file reviewers " +
        'see in a pull request; replace the link with the file it points to',
    );
    // Nothing was replaced: the link is still a link.
    expect(fs.lstatSync(path.join(p.envDir, 'prod.yaml')).isSymbolicLink()).toBe(true);
  });

  test('refuse a directory named like an environment file, naming what it is', () => {
    const p = project();
    fs.rmSync(path.join(p.envDir, 'prod.yaml'));
    fs.mkdirSync(path.join(p.envDir, 'prod.yaml'));

    expect(pipelineError(() => environmentFile(p.root, 'prod')).message).toMatch(
      /^environments\/prod\.yaml is a directory, not a regular file: /,
    );
  });

  test('list as environments exactly what synth loads', () => {
    const p = project();
    fs.renameSync(path.join(p.envDir, 'prod.yaml'), path.join(p.envDir, 'Prod.yaml'));
    fs.symlinkSync('dev.yaml', path.join(p.envDir, 'qa.yaml'));
    fs.writeFileSync(path.join(p.envDir, '.hidden.yaml'), '');

    expect(environmentNames(p.root)).toEqual(['dev', 'staging']);
    expect(pipelineError(() => environmentFile(p.root, 'prod')).message).toContain('environments/ has: dev, staging');
  });
});

/** A 20 MB file of characters YAML gives meaning to, from a fixed seed. */
function garbage(bytes: number): Buffer {
  const alphabet = Buffer.from('ab: -[]{}?&*!|>\'"%@`#,\n\t');
  const out = Buffer.alloc(bytes);
  let seed = 42;
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = alphabet[seed % alphabet.length]!;
  }
  return out;
}

interface BadInput {
  readonly what: string;
  readonly content: () => string | Buffer;
  /** Larger than the size limit, or below it (and so parsed and checked in full). */
  readonly overLimit: boolean;
  /** The last line of the message: the count of problems not printed, or the one problem. */
  readonly last: string;
  /** Lines the message has. */
  readonly lines: number;
}

const BAD_INPUTS: BadInput[] = [
  {
    what: 'a 20 MB file of garbage',
    content: () => garbage(20 * 1024 * 1024),
    last:
      'environments/dev.yaml:1:1: (file size): 20971520 — at most 262144 bytes (256.0 KiB): an environment file is a few ' +
      'kilobytes, and this one (20.0 MiB) is refused unread',
    overLimit: true,
    lines: 1,
  },
  {
    what: 'a file of 40,000 unknown keys',
    // Short keys keep the file below the size limit, so the full load runs.
    content: () => devYaml() + Array.from({ length: 40_000 }, (_, i) => `k${i.toString(36)}:\n`).join(''),
    overLimit: false,
    last: 'environments/dev.yaml: … and 39950 more problems',
    lines: MAX_PRINTED_PROBLEMS_PER_FILE + 1,
  },
  {
    what: 'a file of 40,000 duplicate keys',
    content: () => devYaml() + 'x:\n'.repeat(40_001),
    overLimit: false,
    last: 'environments/dev.yaml: … and 39950 more problems',
    lines: MAX_PRINTED_PROBLEMS_PER_FILE + 1,
  },
];

function devYaml(): string {
  return fs.readFileSync(path.join(template, 'environments', 'dev.yaml'), 'utf8');
}

describe('bad input', () => {
  test.each(BAD_INPUTS.map((c) => [c.what, c] as const))(
    '%s is refused in under 2 s, printing at most 50 problems and a count of the rest',
    (_what, input) => {
      const p = project();
      const content = input.content();
      expect(Buffer.byteLength(content) > ENVIRONMENT_FILE_LIMIT).toBe(input.overLimit);
      fs.writeFileSync(path.join(p.envDir, 'dev.yaml'), content);

      const { result: error, ms } = fastest(() => configError(() => loadEnvironments(p.envDir, { root: p.root })));

      const lines = error.message.split('\n');
      expect(lines).toHaveLength(input.lines);
      expect(lines[lines.length - 1]).toEqual(input.last);
      expect(lines.every((l) => /^environments\/dev\.yaml:\d+:\d+: /.test(l) || l === input.last)).toBe(true);
      expect(ms).toBeLessThan(BUDGET_MS);
    },
    60_000,
  );

  test.each(BAD_INPUTS.map((c) => [c.what, c] as const))(
    '%s makes the real synth exit 1 in under 2 s, leaving gitops/ byte-identical',
    (_what, input) => {
      const p = project();
      fs.writeFileSync(path.join(p.envDir, 'dev.yaml'), input.content());
      const before = snapshot(p.outDir);

      const { result: run, ms } = fastest(() => synthCli(p.root));

      const lines = run.stderr.split('\n');
      expect(lines.slice(-3)).toEqual([input.last, 'synth: nothing written; gitops/ is unchanged', '']);
      expect(lines).toHaveLength(input.lines + 2);
      expect(run.status).toBe(1);
      expect(snapshot(p.outDir)).toEqual(before);
      expect(ms).toBeLessThan(BUDGET_MS);
    },
    60_000,
  );

  test('garbage just below the size limit is refused as invalid YAML, each line of it shortened', () => {
    const p = project();
    // One line: every problem of it would otherwise repeat the whole file.
    fs.writeFileSync(path.join(p.envDir, 'dev.yaml'), garbage(ENVIRONMENT_FILE_LIMIT - 1).toString('latin1').replace(/\n/g, ' '));

    const { result: error, ms } = fastest(() => configError(() => loadEnvironments(p.envDir, { root: p.root })));

    expect(error.problems.length).toBeGreaterThan(0);
    expect(error.problems.every((x) => x.field === '(yaml)' && String(x.value).length <= 201)).toBe(true);
    expect(Math.max(...error.message.split('\n').map((l) => l.length))).toBeLessThan(400);
    expect(ms).toBeLessThan(BUDGET_MS);
  });
});

describe('the problem message', () => {
  test('shows at most 50 problems of each file, then one line counting the rest', () => {
    const of = (file: string, count: number): ConfigProblem[] =>
      Array.from({ length: count }, (_, i) => ({ file, line: i + 1, column: 1, field: 'x', value: i, allowed: 'nothing' }));

    const lines = new ConfigError([...of('environments/a.yaml', 52), ...of('environments/b.yaml', 3)]).message.split('\n');

    expect(lines).toHaveLength(50 + 1 + 3);
    expect(lines[49]).toBe('environments/a.yaml:50:1: x: 49 — nothing');
    expect(lines[50]).toBe('environments/a.yaml: … and 2 more problems');
    expect(lines.slice(51)).toEqual([
      'environments/b.yaml:1:1: x: 0 — nothing',
      'environments/b.yaml:2:1: x: 1 — nothing',
      'environments/b.yaml:3:1: x: 2 — nothing',
    ]);
  });

  test('shows only the start of a huge value, whatever its size', () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => ({ key: `value-${i}` }));

    const [line] = new ConfigError([{ file: 'f.yaml', line: 1, column: 1, field: 'x', value: huge, allowed: 'small' }]).message.split('\n');

    expect(line).toBe(`f.yaml:1:1: x: ${JSON.stringify(huge).slice(0, 119)}… — small`);
  });
});
