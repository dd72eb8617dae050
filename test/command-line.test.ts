// lib/cli/command-line.ts: how every entry point reads its command line.
import { oneOf, readCommandLine, wholeNumber } from '../lib/cli/command-line';

const USAGE = 'usage: npm run demo -- --name <n> [<file>...]';
const SPEC = { options: { name: { type: 'string' }, fast: { type: 'boolean', default: false } } } as const;

/** Runs `fn` with console.log and console.error captured (this process's own output, not a stand-in). */
function captured<T>(fn: () => T): { result: T; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    return { result: fn(), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('readCommandLine', () => {
  test('hands the parsed values to read and returns what it makes of them', () => {
    const { result, out, err } = captured(() =>
      readCommandLine('demo', USAGE, ['--name', 'x', '--fast'], SPEC, ({ values }) => ({ name: values.name, fast: values.fast })),
    );
    expect(result).toEqual({ name: 'x', fast: true });
    expect(out + err).toBe('');
  });

  test('--help and -h print the usage and stop with 0, before read runs', () => {
    for (const flag of ['--help', '-h']) {
      const read = jest.fn(() => ({}));
      const { result, out, err } = captured(() => readCommandLine('demo', USAGE, ['--name', 'x', flag], SPEC, read));
      expect(result).toBe(0);
      expect(out).toBe(USAGE);
      expect(err).toBe('');
      expect(read).not.toHaveBeenCalled();
    }
  });

  test('an unknown option, a missing value or a stray argument stops with 2, the problem and the usage', () => {
    for (const argv of [['--nope'], ['--name'], ['file.yaml']]) {
      const { result, out, err } = captured(() => readCommandLine('demo', USAGE, argv, SPEC, () => ({})));
      expect(result).toBe(2);
      expect(out).toBe('');
      expect(err).toMatch(new RegExp(`^demo: .+\\n${USAGE.replace(/[[\].*+?^${}()|\\]/g, '\\$&')}$`));
    }
  });

  test('positionals reach read when allowed; what read throws is a usage error', () => {
    const spec = { ...SPEC, positionals: true };
    const ok = captured(() => readCommandLine('demo', USAGE, ['a', '--name', 'x', 'b'], spec, ({ positionals }) => ({ positionals })));
    expect(ok.result).toEqual({ positionals: ['a', 'b'] });
    const bad = captured(() =>
      readCommandLine('demo', USAGE, [], spec, ({ values }) => {
        if (!values.name) throw new Error('--name <n> is required');
        return {};
      }),
    );
    expect(bad.result).toBe(2);
    expect(bad.err).toBe(`demo: --name <n> is required\n${USAGE}`);
  });
});

describe('value checks', () => {
  test('oneOf accepts a listed value and names the option, the value and the choices otherwise', () => {
    expect(oneOf('--format', 'json', ['text', 'json'] as const)).toBe('json');
    expect(() => oneOf('--format', 'yaml', ['text', 'json'])).toThrow('--format must be one of text, json, not "yaml"');
    expect(() => oneOf('--status', undefined, ['success'])).toThrow('--status must be one of success, not "(missing)"');
  });

  test('wholeNumber accepts digits within the bounds only', () => {
    expect(wholeNumber('--attempts', '1', 1, 10)).toBe(1);
    expect(wholeNumber('--attempts', '10', 1, 10)).toBe(10);
    for (const bad of ['0', '11', '2.5', '-1', '1e1', ' 3', '', 'three']) {
      expect(() => wholeNumber('--attempts', bad, 1, 10)).toThrow(`--attempts must be a whole number from 1 to 10, not ${JSON.stringify(bad)}`);
    }
  });
});
