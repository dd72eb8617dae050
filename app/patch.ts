import type * as Rfc6902 from 'rfc6902';
import { ConfigError, ConfigProblem } from '../lib/environment/config-error';
import { Environment } from '../lib/environment/environment';
import { EnvironmentPatch, LocatedPatchOperation, PatchTarget, SourcePosition, operationField, pointerTokens } from '../lib/environment/patches';
import { apiGroupOf, isClusterScoped } from '../lib/tree/cluster-scoped-kinds';
import { CONFIG_CHECKSUM_ANNOTATION, configChecksum } from '../lib/tree/config-checksum';
import { PatchOrigin } from '../lib/tree/manifest-file';
import { POD_TEMPLATE_PATHS, podTemplateOf } from '../lib/tree/pod-templates';
import { resourceLabel, TreeObject, treeObject } from '../lib/tree/tree-object';

/** A tree object, with the patch operations that changed it (its file's header names them). */
export interface PatchedObject extends TreeObject {
  /** In the order applied. @default - none: the object is as the constructs made it */
  readonly patches?: readonly PatchOrigin[];
}

/** One operation (or target) of an environment file the patch step refuses. */
export interface PatchRefusal {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `patches[0].patch[1]`, or `patches[0].target`. */
  readonly field: string;
  /** What was asked: `replace /spec/replicas on Deployment chat-staging/backend`. */
  readonly operation: string;
  /** Why it is refused. */
  readonly reason: string;
}

/**
 * Patches that cannot apply: every refusal of every environment at once, one per line,
 * `<file>:<line>:<column>: <field>: <operation> — <reason>`. A configuration error: the
 * environment file is what to change.
 */
export class PatchError extends ConfigError {
  readonly refusals: readonly PatchRefusal[];

  constructor(refusals: readonly PatchRefusal[]) {
    super(refusals.map((r): ConfigProblem => ({ file: r.file, line: r.line, column: r.column, field: r.field, value: r.operation, allowed: r.reason })));
    this.name = 'PatchError';
    this.refusals = refusals;
    this.message = refusals.map((r) => `${r.file}:${r.line}:${r.column}: ${r.field}: ${r.operation} — ${r.reason}`).join('\n');
  }
}

let library: typeof Rfc6902 | undefined;

/** The RFC 6902 implementation, loaded on first need only: most environments have no patches. */
function rfc6902(): typeof Rfc6902 {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred on purpose: see above
  library ??= require('rfc6902') as typeof Rfc6902;
  return library;
}

/** Looked up once: a global read costs more inside a VM context (as under jest). */
const { isArray } = Array;
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/** Keys of a mapping a message lists before "…". */
const LISTED_KEYS = 12;

/** Where the walk along a pointer stops, in words; undefined when the whole pointer resolves. */
type Resolution = { readonly found: true; readonly value: unknown } | { readonly found: false; readonly why: string };

/** `/a/b` of the first `n` tokens, escaped again (RFC 6901 §3). */
function prefixPointer(tokens: readonly string[], n: number): string {
  return tokens
    .slice(0, n)
    .map((t) => `/${t.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    .join('');
}

function locationName(tokens: readonly string[], n: number): string {
  return n === 0 ? 'the object' : prefixPointer(tokens, n);
}

/**
 * The value at `tokens` of `doc`, read as JSON reads it: a mapping's own keys only, a list's items
 * by canonical index only (RFC 6901 §4: `0` or digits without a leading zero). The library's
 * own evaluation also sees inherited properties and takes `01` or `-` as a list index for some
 * operations; checking here first makes every operation refuse a location that is not there.
 */
function resolve(doc: unknown, tokens: readonly string[]): Resolution {
  let node = doc;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (isArray(node)) {
      if (!ARRAY_INDEX.test(token)) {
        return { found: false, why: `${locationName(tokens, i)} is a list, and "${token}" is not an index of it (${node.length === 0 ? 'it is empty' : `0 to ${node.length - 1}`})` };
      }
      if (Number(token) >= node.length) {
        return { found: false, why: `${locationName(tokens, i)} is a list of ${node.length} item${node.length === 1 ? '' : 's'}, and index ${token} is past its end` };
      }
      node = node[Number(token)];
    } else if (node !== null && typeof node === 'object') {
      if (!Object.prototype.hasOwnProperty.call(node, token)) {
        const keys = Object.keys(node);
        const listed = keys.length === 0 ? 'it is empty' : `it has ${keys.slice(0, LISTED_KEYS).join(', ')}${keys.length > LISTED_KEYS ? ', …' : ''}`;
        return { found: false, why: `${locationName(tokens, i)} has no key "${token}" (${listed})` };
      }
      node = (node as Record<string, unknown>)[token];
    } else {
      return { found: false, why: `${locationName(tokens, i)} is ${JSON.stringify(node)}, not a mapping or a list` };
    }
  }
  return { found: true, value: node };
}

/** Why `add` (or the target of `move`/`copy`) cannot write `tokens`, or undefined (RFC 6902 §4.1). */
function addProblem(doc: unknown, tokens: readonly string[]): string | undefined {
  const parent = resolve(doc, tokens.slice(0, -1));
  if (!parent.found) return `the path's parent does not exist (${parent.why})`;
  const last = tokens[tokens.length - 1]!;
  const value = parent.value;
  if (isArray(value)) {
    if (last === '-') return undefined;
    if (!ARRAY_INDEX.test(last) || Number(last) > value.length) {
      return `${locationName(tokens, tokens.length - 1)} is a list of ${value.length} item${value.length === 1 ? '' : 's'}: add at an index from 0 to ${value.length}, or at "-" to append`;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') {
    return `the path's parent ${locationName(tokens, tokens.length - 1)} is ${JSON.stringify(value)}, not a mapping or a list`;
  }
  return undefined;
}

/** A JSON value for a message, cut short. */
function shortJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'nothing';
  return json.length > 120 ? `${json.slice(0, 119)}…` : json;
}

/** Why an operation cannot apply to `doc` as it stands, or undefined. */
function operationProblem(doc: unknown, operation: LocatedPatchOperation): string | undefined {
  const tokens = pointerTokens(operation.path);
  switch (operation.op) {
    case 'remove':
    case 'replace':
    case 'test': {
      const at = resolve(doc, tokens);
      return at.found ? undefined : `the path does not exist (${at.why})`;
    }
    case 'add':
      return addProblem(doc, tokens);
    case 'move':
    case 'copy': {
      const from = resolve(doc, pointerTokens(operation.from!));
      if (!from.found) return `the from location does not exist (${from.why})`;
      return addProblem(doc, tokens);
    }
  }
}

/** `replace /spec/replicas`, `move /a to /b`. */
function operationText(operation: LocatedPatchOperation): string {
  return operation.from !== undefined ? `${operation.op} ${operation.from} to ${operation.path}` : `${operation.op} ${operation.path}`;
}

function targetText(target: PatchTarget): string {
  return `${target.kind} ${target.namespace !== undefined ? `${target.namespace}/` : ''}${target.name}${target.component !== undefined ? ` in component ${target.component}` : ''}`;
}

/** Whether the object sits in the environment's namespace when the target names none. */
function inDefaultNamespace(o: TreeObject, env: Environment): boolean {
  if (o.namespace === env.namespace) return true;
  const apiVersion = typeof o.manifest.apiVersion === 'string' ? o.manifest.apiVersion : '';
  return o.namespace === '' && isClusterScoped(apiGroupOf(apiVersion), o.kind);
}

/** `a`, `a and b`, `a, b and c`. */
function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The one object of the environment a target names, or why there is none. */
function findTarget(target: PatchTarget, env: Environment, objects: readonly TreeObject[]): TreeObject | string {
  const components = [...new Set(objects.map((o) => o.component))].sort();
  if (target.component !== undefined && !components.includes(target.component)) {
    return `environment ${env.name} has no component "${target.component}" (its components: ${listOf(components)})`;
  }
  const ofKind = objects.filter((o) => o.kind === target.kind && (target.component === undefined || o.component === target.component));
  const matches = ofKind.filter((o) => o.name === target.name && (target.namespace !== undefined ? o.namespace === target.namespace : inDefaultNamespace(o, env)));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    const names = matches.map((o) => `envs/${env.name}/${o.component}/… (component ${o.component})`);
    return `the target is ambiguous: it matches ${matches.length} objects, ${listOf(names)}; set target.component to one of ${listOf(matches.map((o) => o.component))}`;
  }
  const namespace = target.namespace ?? `${env.namespace} (the environment's; or none, for a cluster-scoped kind)`;
  const others = ofKind.map((o) => `${resourceLabel(o)} (component ${o.component})`);
  const hint = others.length > 0 ? `its ${target.kind} objects: ${listOf(others.slice(0, 10))}${others.length > 10 ? ', …' : ''}` : `it has no ${target.kind}`;
  return `no object of environment ${env.name} matches: kind ${target.kind}, name ${target.name}, namespace ${namespace} (${hint})`;
}

/** The object of the tree one patch works on, as the patches leave it so far. */
interface Working {
  readonly original: TreeObject;
  readonly manifest: Record<string, any>;
  /** The operations applied to it, with where each is written. */
  readonly applied: { readonly origin: PatchOrigin; readonly at: SourcePosition }[];
  /** Set when a recomputed value was written: the origins naming why. */
  readonly recomputed: PatchOrigin[];
}

/** The pointer tokens of a kind's configuration checksum annotation; undefined for kinds without pods. */
function checksumTokens(kind: string): string[] | undefined {
  const template = POD_TEMPLATE_PATHS[kind];
  return template === undefined ? undefined : [...template, 'metadata', 'annotations', CONFIG_CHECKSUM_ANNOTATION];
}

/** The names of the ConfigMaps a pod template reads: volumes, projected volumes, envFrom and env. */
function configMapsRead(manifest: Record<string, any>): string[] {
  const template = podTemplateOf(manifest);
  const names = new Set<string>();
  const spec = template?.spec;
  if (spec === null || typeof spec !== 'object') return [];
  const add = (name: unknown) => {
    if (typeof name === 'string') names.add(name);
  };
  for (const volume of isArray(spec.volumes) ? spec.volumes : []) {
    add(volume?.configMap?.name);
    for (const source of isArray(volume?.projected?.sources) ? volume.projected.sources : []) add(source?.configMap?.name);
  }
  for (const list of [spec.initContainers, spec.containers, spec.ephemeralContainers]) {
    for (const container of isArray(list) ? list : []) {
      for (const from of isArray(container?.envFrom) ? container.envFrom : []) add(from?.configMapRef?.name);
      for (const variable of isArray(container?.env) ? container.env : []) add(variable?.valueFrom?.configMapKeyRef?.name);
    }
  }
  return [...names].sort();
}

/** The checksum of the named ConfigMaps of a namespace; undefined when one of them is not in the tree. */
function checksumOf(names: readonly string[], configMaps: ReadonlyMap<string, Record<string, any>>): string | undefined {
  const found: { name: string; data?: unknown; binaryData?: unknown }[] = [];
  for (const name of names) {
    const cm = configMaps.get(name);
    if (cm === undefined) return undefined;
    found.push({ name, data: cm.data, binaryData: cm.binaryData });
  }
  return configChecksum(found);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Applies every environment's `patches` to its objects of the tree (`envs/<env>/…`), in the
 * file's order, each operation with RFC 6902's semantics; then recomputes the configuration
 * checksum of every pod template whose ConfigMaps a patch changed. Objects no patch touches are
 * returned as they are (the very objects given), and nothing given is modified. Throws
 * {@link PatchError} listing every operation that cannot apply.
 */
export function applyPatches(objects: readonly TreeObject[], environments: readonly Environment[]): PatchedObject[] {
  const patched = environments.filter((e) => e.patches !== undefined && e.patches.length > 0);
  if (patched.length === 0) return [...objects];
  const refusals: PatchRefusal[] = [];
  const replaced = new Map<TreeObject, PatchedObject>();
  for (const env of patched) {
    const own = objects.filter((o) => o.path.startsWith(`envs/${env.name}/`) && o.environment === env.name);
    const working = patchEnvironment(env, own, refusals);
    for (const w of working.values()) {
      replaced.set(w.original, { ...treeObject(w.original.path, w.manifest, w.original.sources), patches: [...w.applied.map((a) => a.origin), ...w.recomputed] });
    }
  }
  if (refusals.length > 0) throw new PatchError(refusals);
  return objects.map((o) => replaced.get(o) ?? o);
}

function patchEnvironment(env: Environment, objects: readonly TreeObject[], refusals: PatchRefusal[]): Map<TreeObject, Working> {
  const working = new Map<TreeObject, Working>();
  const refuse = (at: SourcePosition, field: string, operation: string, reason: string) =>
    refusals.push({ file: env.file, line: at.line, column: at.column, field, operation, reason });

  (env.patches ?? []).forEach((entry: EnvironmentPatch, i) => {
    const found = findTarget(entry.target, env, objects);
    if (typeof found === 'string') {
      refuse(entry.at, `patches[${i}].target`, targetText(entry.target), found);
      return;
    }
    let w = working.get(found);
    if (w === undefined) {
      w = { original: found, manifest: structuredClone(found.manifest), applied: [], recomputed: [] };
      working.set(found, w);
    }
    const checksum = checksumTokens(found.kind);
    for (const [j, operation] of entry.patch.entries()) {
      const field = operationField(i, j);
      const asked = `${operationText(operation)} on ${resourceLabel(found)}`;
      const writes = operation.op === 'test' ? [] : operation.op === 'move' ? [operation.path, operation.from!] : [operation.path];
      if (checksum !== undefined && writes.some((p) => startsWith(pointerTokens(p), checksum))) {
        refuse(
          operation.at,
          field,
          asked,
          `the ${CONFIG_CHECKSUM_ANNOTATION} annotation is derived from the ConfigMaps the pods read, and synth recomputes it after the patches: patch the ConfigMap instead`,
        );
        return;
      }
      const problem = operationProblem(w.manifest, operation);
      if (problem !== undefined) {
        refuse(operation.at, field, asked, problem);
        return;
      }
      const { at: _at, ...written } = operation;
      const [result] = rfc6902().applyPatch(w.manifest, [written as Rfc6902.Operation]);
      if (result) {
        // A TestError (rfc6902/patch) carries what was found and what was expected.
        const test = result as Partial<{ actual: unknown; expected: unknown }>;
        const reason =
          result.name === 'TestError'
            ? `the test failed: the value there is ${shortJson(test.actual)}, not ${shortJson(test.expected)}`
            : `the operation does not apply (${result.message})`;
        refuse(operation.at, field, asked, reason);
        return;
      }
      w.applied.push({
        origin: { file: env.file, line: operation.at.line, field, op: operation.op, path: operation.path, ...(operation.from !== undefined ? { from: operation.from } : {}) },
        at: operation.at,
      });
    }
  });
  if (working.size > 0) recomputeChecksums(objects, working, refuse);
  return working;
}

function startsWith(tokens: readonly string[], prefix: readonly string[]): boolean {
  return tokens.length >= prefix.length && prefix.every((t, i) => tokens[i] === t);
}

/**
 * A pod template's `checksum/config` is computed by its construct from the ConfigMaps it reads,
 * before any patch: where a patch changed one of them (or which ones the pods read), the checksum
 * is computed again from what the patches left, so the pods roll onto the new configuration as
 * they would for a change made through the construct. That needs the checksum's inputs to be
 * known: the annotation must be the checksum of the ConfigMaps the pod template reads, as
 * `WebService` writes it ({@link configChecksum}). Where it is not (say, a checksum of a few
 * generated files, as `KafkaCluster` writes), the patch that changed its input is refused.
 */
function recomputeChecksums(
  objects: readonly TreeObject[],
  working: Map<TreeObject, Working>,
  refuse: (at: SourcePosition, field: string, operation: string, reason: string) => void,
): void {
  const current = (o: TreeObject) => working.get(o)?.manifest ?? o.manifest;
  const configMaps = (namespace: string, side: 'before' | 'after') =>
    new Map(objects.filter((o) => o.kind === 'ConfigMap' && o.namespace === namespace).map((o) => [o.name, side === 'before' ? o.manifest : current(o)]));
  const configMapObject = (namespace: string, name: string) => objects.find((o) => o.kind === 'ConfigMap' && o.namespace === namespace && o.name === name);

  for (const workload of objects) {
    const tokens = checksumTokens(workload.kind);
    if (tokens === undefined) continue;
    const annotations = (m: Record<string, any>) => podTemplateOf(m)?.metadata?.annotations;
    const written = annotations(workload.manifest)?.[CONFIG_CHECKSUM_ANNOTATION];
    if (typeof written !== 'string') continue;
    const after = current(workload);
    const [readBefore, readAfter] = [configMapsRead(workload.manifest), configMapsRead(after)];
    const [mapsBefore, mapsAfter] = [configMaps(workload.namespace, 'before'), configMaps(workload.namespace, 'after')];
    const changed = [...new Set([...readBefore, ...readAfter])].filter((name) => !sameJson(
      [mapsBefore.get(name)?.data, mapsBefore.get(name)?.binaryData],
      [mapsAfter.get(name)?.data, mapsAfter.get(name)?.binaryData],
    ));
    const readsChanged = !sameJson(readBefore, readAfter);
    const annotationKept = annotations(after)?.[CONFIG_CHECKSUM_ANNOTATION] === written;
    if (changed.length === 0 && !readsChanged && annotationKept) continue;

    // The operations that made the checksum's inputs change: on its ConfigMaps, and on the workload.
    const causes: { origin: PatchOrigin; at: SourcePosition; because: string }[] = [];
    for (const name of changed) {
      const cm = configMapObject(workload.namespace, name);
      for (const a of (cm && working.get(cm)?.applied) ?? []) if (a.origin.op !== 'test') causes.push({ ...a, because: `ConfigMap ${name} changed` });
    }
    if (readsChanged || !annotationKept) {
      for (const a of working.get(workload)?.applied ?? []) {
        if (a.origin.op !== 'test') causes.push({ ...a, because: readsChanged ? `the ConfigMaps its pods read changed` : `its annotations were replaced` });
      }
    }
    if (causes.length === 0) continue;

    if (checksumOf(readBefore, mapsBefore) !== written) {
      const first = causes[0]!;
      refuse(
        first.at,
        first.origin.field,
        `${operationText({ ...first.origin, at: first.at })} on ${resourceLabel(configMapObject(workload.namespace, changed[0] ?? '') ?? workload)}`,
        `this changes what the ${CONFIG_CHECKSUM_ANNOTATION} annotation of ${resourceLabel(workload)} is computed from, and that annotation is not the ` +
          `checksum of the ConfigMaps its pods read (its construct computes it its own way), so it cannot be recomputed and the pods would ` +
          `not roll onto the change; change this through the environment's settings or the construct instead`,
      );
      continue;
    }
    const checksum = checksumOf(readAfter, mapsAfter);
    if (checksum === undefined) {
      const missing = readAfter.filter((name) => !mapsAfter.has(name));
      const first = causes[0]!;
      refuse(
        first.at,
        first.origin.field,
        `${operationText({ ...first.origin, at: first.at })} on ${resourceLabel(workload)}`,
        `the pods of ${resourceLabel(workload)} would read ConfigMap ${listOf(missing)}, which is not in the tree, so their ${CONFIG_CHECKSUM_ANNOTATION} annotation cannot be computed`,
      );
      continue;
    }
    let w = working.get(workload);
    if (w === undefined) {
      w = { original: workload, manifest: structuredClone(workload.manifest), applied: [], recomputed: [] };
      working.set(workload, w);
    }
    const template = podTemplateOf(w.manifest)!;
    template.metadata ??= {};
    template.metadata.annotations ??= {};
    template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION] = checksum;
    const path = prefixPointer(tokens, tokens.length);
    for (const cause of causes) {
      w.recomputed.push({ file: cause.origin.file, line: cause.origin.line, field: cause.origin.field, op: 'replace', path, recomputed: cause.because });
    }
  }
}
