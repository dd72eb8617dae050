import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEnvironment } from '../lib/environment/load-environments';
import {
  HEAP_FLOOR_BYTES,
  NON_HEAP_FLOOR_BYTES,
  defaultNonHeapBytes,
  jvmMemory,
  jvmMemoryOptions,
  memoryLimitProblem,
  nonHeapProblem,
} from '../lib/predicates/jvm-memory';
import { parseMemory } from '../lib/predicates/quantity';
import { configError } from './support/config-error';
import { fixtureEnvironmentText } from './support/fixture-project';

const Mi = 1024 * 1024;

describe('dividing a memory limit for the JVM', () => {
  test('768Mi with the default budget: a 448m heap and every non-heap part capped', () => {
    const memory = jvmMemory(768 * Mi);
    expect(memory.nonHeapBytes).toBe(320 * Mi);
    expect(jvmMemoryOptions(memory)).toEqual([
      '-Xmx448m',
      '-Xss1024k',
      '-XX:MaxMetaspaceSize=128m',
      '-XX:ReservedCodeCacheSize=64m',
      '-XX:MaxDirectMemorySize=32m',
    ]);
    expect(memory.uncappedBytes).toBe(96 * Mi);
  });

  test('the parts and the heap add up to the limit, whatever the limit', () => {
    for (const limit of ['576Mi', '768Mi', '1Gi', '1536Mi', '3Gi', '1000M']) {
      const m = jvmMemory(parseMemory(limit));
      expect(m.heapBytes + m.metaspaceBytes + m.codeCacheBytes + m.directMemoryBytes + m.uncappedBytes).toBeLessThanOrEqual(m.limitBytes);
      expect(m.limitBytes - (m.heapBytes + m.nonHeapBytes)).toBeLessThan(Mi);
      expect(m.heapBytes % Mi).toBe(0);
      expect(m.uncappedBytes).toBeGreaterThan(0);
    }
  });

  test('the default budget is a quarter of the limit, never below the floor', () => {
    expect(defaultNonHeapBytes(768 * Mi)).toBe(NON_HEAP_FLOOR_BYTES);
    expect(defaultNonHeapBytes(1536 * Mi)).toBe(384 * Mi);
    expect(defaultNonHeapBytes(4096 * Mi)).toBe(1024 * Mi);
  });

  test('a configured budget replaces the default', () => {
    const memory = jvmMemory(1024 * Mi, 512 * Mi);
    expect(jvmMemoryOptions(memory)).toContain('-Xmx512m');
    expect(jvmMemoryOptions(memory)).toContain('-XX:MaxMetaspaceSize=204m');
  });

  test('a budget below the floor, or not whole MiB, is refused', () => {
    expect(nonHeapProblem(256 * Mi)).toContain('at least 320Mi');
    expect(nonHeapProblem(320 * Mi + 1)).toContain('whole MiB');
    expect(nonHeapProblem(320 * Mi)).toBeUndefined();
  });

  test('a limit that leaves less than the heap floor is refused, naming the budget and where it came from', () => {
    expect(memoryLimitProblem(512 * Mi, NON_HEAP_FLOOR_BYTES, 'the default')).toBe(
      'at least 576Mi: the JVM\'s non-heap budget (320Mi, the default) plus a heap of at least 256Mi',
    );
    expect(memoryLimitProblem(NON_HEAP_FLOOR_BYTES + HEAP_FLOOR_BYTES, NON_HEAP_FLOOR_BYTES, 'the default')).toBeUndefined();
    expect(() => jvmMemory(512 * Mi)).toThrow('memory limit 536870912 bytes: at least 576Mi');
  });
});

describe('the environment loader judges the backend\'s JVM budget', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'jvm-environments-'));
    fs.mkdirSync(path.join(root, 'environments'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** The fixture dev.yaml with the backend's memory limit and, if given, a `jvm` block. */
  function devWith(limit: string, jvm?: string): string {
    const text = fixtureEnvironmentText('dev');
    const from = '      limits: { cpu: "1", memory: 768Mi }\n  frontend:';
    expect(text.split(from)).toHaveLength(2);
    return text.replace(from, `      limits: { cpu: "1", memory: ${limit} }\n${jvm ? `    jvm:\n      ${jvm}\n` : ''}  frontend:`);
  }
  const load = (text: string) => {
    const file = path.join(root, 'environments', 'dev.yaml');
    fs.writeFileSync(file, text);
    return () => loadEnvironment(file, { root });
  };

  test('accepts a budget that leaves the heap floor, and keeps it as written', () => {
    expect(load(devWith('1Gi', 'nonHeap: 512Mi'))().components.backend.jvm).toEqual({ nonHeap: '512Mi' });
  });

  test('refuses a limit too small for the default budget, at the limit, saying how much is needed', () => {
    const error = configError(load(devWith('512Mi')));
    expect(error.problems).toEqual([
      expect.objectContaining({
        file: 'environments/dev.yaml',
        field: 'components.backend.resources.limits.memory',
        value: '512Mi',
        allowed: 'at least 576Mi: the JVM\'s non-heap budget (320Mi, the default for this limit; set components.backend.jvm.nonHeap to change it) plus a heap of at least 256Mi',
      }),
    ]);
    expect(error.message).toMatch(/^environments\/dev\.yaml:17:\d+: components\.backend\.resources\.limits\.memory: "512Mi" — at least 576Mi/m);
  });

  test('refuses a limit too small for a configured budget, naming the budget\'s field', () => {
    const error = configError(load(devWith('768Mi', 'nonHeap: 640Mi')));
    expect(error.problems.map((p) => [p.field, p.allowed])).toEqual([
      ['components.backend.resources.limits.memory', 'at least 896Mi: the JVM\'s non-heap budget (640Mi, components.backend.jvm.nonHeap) plus a heap of at least 256Mi'],
    ]);
  });

  test('refuses a budget below the floor at the budget, and only there', () => {
    const error = configError(load(devWith('768Mi', 'nonHeap: 128Mi')));
    expect(error.problems.map((p) => [p.field, p.value])).toEqual([['components.backend.jvm.nonHeap', '128Mi']]);
    expect(error.problems[0]!.allowed).toContain('at least 320Mi');
  });

  test('refuses a malformed budget with the memory quantity\'s description, and unknown keys under jvm', () => {
    const malformed = configError(load(devWith('768Mi', 'nonHeap: 384m')));
    expect(malformed.problems.map((p) => p.field)).toEqual(['components.backend.jvm.nonHeap']);
    expect(malformed.problems[0]!.allowed).toContain('a memory quantity');
    const unknown = configError(load(devWith('768Mi', 'heap: 384Mi')));
    expect(unknown.problems.map((p) => [p.field, p.allowed])).toEqual([['components.backend.jvm.heap', 'unknown field; allowed: nonHeap']]);
  });

  test('a budget given as a plain number of bytes is judged as written', () => {
    expect(load(devWith('1Gi', `nonHeap: ${512 * Mi}`))().components.backend.jvm).toEqual({ nonHeap: String(512 * Mi) });
  });
});
