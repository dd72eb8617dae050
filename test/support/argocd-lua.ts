// Runs Argo CD Lua scripts on this machine's real Lua 5.1 interpreter (Debian lua5.1), in the
// sandbox Argo CD gives a script from argocd-cm (test/support/argocd-lua-sandbox.lua). Argo CD
// itself runs gopher-lua, a Lua 5.1 implementation in Go, which cannot run here.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findExecutable } from './system-tool';

const SANDBOX = path.join(__dirname, 'argocd-lua-sandbox.lua');

/** The Lua 5.1 interpreter, or undefined. `LUA` names one explicitly (and only that one is tried). */
export function findLua51(): string | undefined {
  if (process.env.LUA) {
    try {
      fs.accessSync(process.env.LUA, fs.constants.X_OK);
      return process.env.LUA;
    } catch {
      return undefined;
    }
  }
  return findExecutable('lua5.1', ['/usr/bin']);
}

/** Why the Lua suites cannot run here, or undefined when they can. */
export function lua51Missing(): string | undefined {
  if (findLua51()) return undefined;
  return process.env.LUA
    ? `LUA=${process.env.LUA} is no executable`
    : 'lua5.1 is not installed: install it with `apt-get install -y lua5.1` (.ci/run does)';
}

/** What a health script returned. */
export interface HealthResult {
  readonly status: string;
  readonly message: string;
}

/** Bytes outside printable ASCII as decimal escapes: Lua 5.1 strings know no `\u`. */
function luaString(s: string): string {
  let out = '"';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (byte >= 0x20 && byte < 0x7f) out += c;
    else out += `\\${byte}`;
  }
  return `${out}"`;
}

/**
 * A JSON value as a Lua table constructor, shaped as Argo CD hands an object to Lua
 * (`decodeValue`, util/lua/lua.go): arrays become sequences from 1, objects string-keyed tables,
 * null nothing at all.
 */
export function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`no JSON number: ${value}`);
    return String(value);
  }
  if (typeof value === 'string') return luaString(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null && v !== undefined);
    return `{${entries.map(([k, v]) => `[${luaString(k)}] = ${toLua(v)}`).join(', ')}}`;
  }
  throw new Error(`no JSON value: ${typeof value}`);
}

/** Runs the health script at `script` on `object`; throws with the interpreter's words on any error. */
export function runHealthScript(lua: string, script: string, object: unknown): HealthResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-lua-'));
  try {
    const objectFile = path.join(dir, 'object.lua');
    fs.writeFileSync(objectFile, `return ${toLua(object)}\n`);
    const run = spawnSync(lua, [SANDBOX, script, objectFile], { encoding: 'utf8', timeout: 10_000 });
    if (run.error) throw run.error;
    if (run.status !== 0) throw new Error(`${path.basename(script)} failed (exit ${run.status}): ${run.stderr.trim()}`);
    const newline = run.stdout.indexOf('\n');
    return { status: run.stdout.slice(0, newline), message: run.stdout.slice(newline + 1) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
