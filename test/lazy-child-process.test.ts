// lib/runtime/lazy-child-process.ts: node:child_process on first call, with the same behaviour.
import * as childProcess from 'node:child_process';
import * as lazy from '../lib/runtime/lazy-child-process';

describe('lazy child_process', () => {
  test('loads nothing until called, then runs real processes with the same results and errors', () => {
    expect(lazy.isLoaded()).toBe(false);
    const script = 'process.stdout.write(process.argv[1]); process.exitCode = Number(process.argv[2])';
    expect(lazy.execFileSync(process.execPath, ['-e', script, 'hello', '0'], { encoding: 'utf8' })).toBe('hello');
    expect(lazy.isLoaded()).toBe(true);

    const ours = lazy.spawnSync(process.execPath, ['-e', script, 'out', '3'], { encoding: 'utf8' });
    const real = childProcess.spawnSync(process.execPath, ['-e', script, 'out', '3'], { encoding: 'utf8' });
    expect({ status: ours.status, stdout: ours.stdout }).toEqual({ status: real.status, stdout: real.stdout });
    expect(ours.status).toBe(3);

    let thrown: (Error & { status?: number }) | undefined;
    try {
      lazy.execFileSync(process.execPath, ['-e', script, 'x', '5'], { stdio: 'ignore' });
    } catch (e) {
      thrown = e as Error & { status?: number };
    }
    expect(thrown?.status).toBe(5);
    expect(() => lazy.execSync('exit 7', { stdio: 'ignore' })).toThrow(/Command failed: exit 7/);
  });

  test('asynchronous functions return real ChildProcess objects', async () => {
    const child = lazy.spawn(process.execPath, ['-e', 'process.exit(4)']);
    expect(child).toBeInstanceOf(childProcess.ChildProcess);
    await expect(new Promise((resolve) => child.on('exit', resolve))).resolves.toBe(4);
    const out = await new Promise<string>((resolve, reject) =>
      lazy.execFile(process.execPath, ['-e', 'process.stdout.write("async")'], (err, stdout) => (err ? reject(err) : resolve(String(stdout)))),
    );
    expect(out).toBe('async');
  });
});
