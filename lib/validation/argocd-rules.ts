import { apiGroupOf, isClusterScoped } from '../tree/cluster-scoped-kinds';
import { TREE_PREFIX, treePathOfSource } from '../tree/layout';
import { TreeObject } from '../tree/tree-object';
import { Rule, RuleContext } from './rule';
import { HOOK_ANNOTATION, HOOK_DELETE_POLICY_ANNOTATION, SYNC_WAVE_ANNOTATION } from '../tree/annotations';

/**
 * What Argo CD refuses before or during a sync, checked on the tree so that it never reaches git.
 * Each rule mirrors one Argo CD function (named in `mirrors`, paths in the argoproj/argo-cd
 * repository, Argo CD 3.3: the release of the AppProject CRD whose cluster whitelist takes names)
 * and says what Argo CD says, where Argo CD has words for it.
 *
 * The tree cannot know Argo CD's cluster database: a destination is matched on what the
 * Application spells (its server URL, or its cluster name), not on the cluster it resolves to.
 */

/** `DefaultAppProjectName`: the project of an Application that names none. */
const DEFAULT_PROJECT = 'default';
/** Where Argo CD runs, and looks its AppProjects up, when an Application names no namespace. */
const DEFAULT_ARGO_NAMESPACE = 'argocd';

/** gitops-engine `NewHookType`, and the deletion hooks of Argo CD's controller (controller/hook.go). */
const HOOK_TYPES = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip', 'PreDelete', 'PostDelete'];
/** gitops-engine `NewHookDeletePolicy`. */
const HOOK_DELETE_POLICIES = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'];
/** `strconv.Atoi` on a 64-bit platform. */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

// ---------------------------------------------------------------------------------------------
// Pattern matching, as Argo CD does it

function escapeRegExp(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/**
 * A pattern of `github.com/gobwas/glob` (`util/glob.Match`): `*` and `?` stop at the separators,
 * `**` does not, `[a-z]`/`[!a-z]` classes, `{a,b}` alternatives, `\` escapes. Undefined when the
 * pattern does not compile, which Argo CD counts as no match.
 */
function gobwasRegExp(pattern: string, separators: string): RegExp | undefined {
  const notSep = separators === '' ? '[\\s\\S]' : `[^${escapeRegExp(separators)}]`;
  let out = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (++i >= pattern.length) return undefined;
      out += escapeRegExp(pattern[i]!);
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        out += '[\\s\\S]*';
        i++;
      } else out += `${notSep}*`;
    } else if (c === '?') out += notSep;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) return undefined;
      let body = pattern.slice(i + 1, end);
      const negated = body.startsWith('!');
      if (negated) body = body.slice(1);
      if (body === '') return undefined;
      const parts: string[] = [];
      for (let j = 0; j < body.length; j++) {
        if (body[j + 1] === '-' && j + 2 < body.length) {
          if (body[j]! > body[j + 2]!) return undefined;
          parts.push(`${escapeRegExp(body[j]!)}-${escapeRegExp(body[j + 2]!)}`);
          j += 2;
        } else parts.push(escapeRegExp(body[j]!));
      }
      out += `[${negated ? '^' : ''}${parts.join('')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      out += '(?:';
    } else if (c === ',' && depth > 0) out += '|';
    else if (c === '}' && depth > 0) {
      depth--;
      out += ')';
    } else out += escapeRegExp(c);
  }
  return depth === 0 ? new RegExp(`^${out}$`) : undefined;
}

/** Each pattern is compiled once per run: a project's few patterns meet every object of the tree. */
const COMPILED = new Map<string, RegExp | undefined>();

function compiled(key: string, compile: () => RegExp | undefined): RegExp | undefined {
  if (COMPILED.has(key)) return COMPILED.get(key);
  const re = compile();
  COMPILED.set(key, re);
  return re;
}

function gobwasMatch(pattern: string, value: string, separators = ''): boolean {
  return compiled(`g\0${separators}\0${pattern}`, () => gobwasRegExp(pattern, separators))?.test(value) ?? false;
}

/** Go's `filepath.Match` (`*` and `?` stop at `/`; `[^a-z]` classes); a bad pattern matches nothing. */
function filepathMatch(pattern: string, value: string): boolean {
  return compiled(`f\0${pattern}`, () => filepathRegExp(pattern))?.test(value) ?? false;
}

function filepathRegExp(pattern: string): RegExp | undefined {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      if (++i >= pattern.length) return undefined;
      out += escapeRegExp(pattern[i]!);
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '[') {
      let j = i + 1;
      const negated = pattern[j] === '^';
      if (negated) j++;
      const parts: string[] = [];
      const char = (): string | undefined => {
        if (pattern[j] === '\\') j++;
        return j < pattern.length ? pattern[j++] : undefined;
      };
      while (pattern[j] !== ']' || parts.length === 0) {
        if (j >= pattern.length || pattern[j] === ']') return undefined;
        const lo = char();
        if (lo === undefined) return undefined;
        if (pattern[j] === '-') {
          j++;
          const hi = char();
          if (hi === undefined || hi < lo) return undefined;
          parts.push(`${escapeRegExp(lo)}-${escapeRegExp(hi)}`);
        } else parts.push(escapeRegExp(lo));
      }
      out += `[${negated ? '^' : ''}${parts.join('')}]`;
      i = j;
    } else out += escapeRegExp(c);
  }
  return new RegExp(`^${out}$`);
}

/** `globMatch` of app_project_types.go: a leading `!` inverts, `*` matches everything. */
function globMatch(pattern: string, value: string, separators = ''): boolean {
  if (pattern.startsWith('!')) return !gobwasMatch(pattern.slice(1), value, separators);
  return pattern === '*' || gobwasMatch(pattern, value, separators);
}

/** `git.NormalizeGitURL`: lower case, scp-style SSH as a path, no `.git` suffix. */
function normalizeGitURL(repo: string): string {
  let r = repo.trim().toLowerCase();
  if (/^(ssh:\/\/)?([^/:]*?)@[^@]+$/.test(r) && !r.startsWith('ssh://')) r = `ssh://${r.replace(':', '/')}`;
  r = r.replace(/\.git$/, '');
  return r.replace(/^ssh:\/\//, '');
}

// ---------------------------------------------------------------------------------------------
// Argo CD's checks, on plain manifests

interface Destination {
  readonly server: string;
  readonly name: string;
  readonly namespace: string;
}

/** `AppProject.IsSourcePermitted`. */
function isSourcePermitted(project: Record<string, any>, repoURL: string): boolean {
  const src = normalizeGitURL(repoURL);
  let anyMatched = false;
  for (const repo of strings(project.spec?.sourceRepos)) {
    const pattern = repo.startsWith('!') ? `!${normalizeGitURL(repo.slice(1))}` : normalizeGitURL(repo);
    if (globMatch(pattern, src, '/')) anyMatched = true;
    else if (pattern.startsWith('!')) return false;
  }
  return anyMatched;
}

/** `AppProject.isDestinationMatched`, deny patterns and their precedence included. */
function isDestinationPermitted(project: Record<string, any>, dst: Destination): boolean {
  let anyMatched = false;
  for (const item of list(project.spec?.destinations)) {
    const itemName = str(item.name);
    const itemServer = str(item.server);
    const itemNamespace = str(item.namespace);
    const nameMatched = dst.name !== '' && globMatch(itemName, dst.name);
    const serverMatched = dst.server !== '' && globMatch(itemServer, dst.server);
    const namespaceMatched = globMatch(itemNamespace, dst.namespace);
    if ((serverMatched || nameMatched) && namespaceMatched) anyMatched = true;
    else if ((!nameMatched && itemName.startsWith('!')) || (!serverMatched && itemServer.startsWith('!') && namespaceMatched)) return false;
    else if (!namespaceMatched && itemNamespace.startsWith('!') && serverMatched) return false;
  }
  return anyMatched;
}

/** `isResourceInList` and `isNamedResourceInList` of types.go: group, kind (and name) by `filepath.Match`. */
function inList(entries: readonly Record<string, any>[], group: string, kind: string, name?: string): boolean {
  return entries.some(
    (e) =>
      filepathMatch(str(e.kind), kind) &&
      filepathMatch(str(e.group), group) &&
      (name === undefined || str(e.name) === '' || filepathMatch(str(e.name), name)),
  );
}

/**
 * `AppProject.IsGroupKindNamePermitted`: an absent namespaced whitelist allows every namespaced
 * kind, an empty one none; the cluster whitelist allows nothing unless it lists it.
 */
function isGroupKindNamePermitted(project: Record<string, any>, group: string, kind: string, name: string, namespaced: boolean): boolean {
  const spec = project.spec ?? {};
  if (namespaced) {
    const white = spec.namespaceResourceWhitelist;
    const whitelisted = white === undefined || white === null || (list(white).length > 0 && inList(list(white), group, kind));
    return whitelisted && !inList(list(spec.namespaceResourceBlacklist), group, kind);
  }
  return inList(list(spec.clusterResourceWhitelist), group, kind, name) && !inList(list(spec.clusterResourceBlacklist), group, kind, name);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function list(v: unknown): Record<string, any>[] {
  return Array.isArray(v) ? v.filter((e) => e !== null && typeof e === 'object') : [];
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
}

// ---------------------------------------------------------------------------------------------
// The tree, indexed once per validation

interface Source {
  /** `spec.source`, or `spec.sources[i]`. */
  readonly field: string;
  readonly source: Record<string, any>;
}

/** `ApplicationSpec.GetSources`: `sources` when it has any (then `source` is ignored), else `source`. */
function sourcesOf(app: TreeObject): Source[] {
  const spec = app.manifest.spec ?? {};
  const many = list(spec.sources);
  if (many.length > 0) return many.map((source, i) => ({ field: `spec.sources[${i}]`, source }));
  return spec.source && typeof spec.source === 'object' ? [{ field: 'spec.source', source: spec.source }] : [];
}

/** The folder of the tree a source path points at, or undefined outside the tree. */
function treeFolderOf(source: Record<string, any>): string | undefined {
  if (typeof source.path !== 'string') return undefined;
  return treePathOfSource(source.path.replace(/^\.\//, '').replace(/\/+$/, ''));
}

/** The destination as the Application spells it (a server URL loses its trailing `/`, as Argo CD trims it). */
function destinationOf(app: TreeObject): Destination {
  const d = app.manifest.spec?.destination ?? {};
  return { server: str(d.server).replace(/\/+$/, ''), name: str(d.name), namespace: str(d.namespace) };
}

function argoNamespaceOf(o: TreeObject): string {
  return o.namespace || DEFAULT_ARGO_NAMESPACE;
}

function projectNameOf(app: TreeObject): string {
  return str(app.manifest.spec?.project) || DEFAULT_PROJECT;
}

interface ArgoIndex {
  /** Folder of the tree → the objects directly in it. */
  readonly direct: ReadonlyMap<string, readonly TreeObject[]>;
  /** Folder of the tree → the objects at any depth under it (`''` is the whole tree). */
  readonly deep: ReadonlyMap<string, readonly TreeObject[]>;
  /** `<namespace>/<name>` → AppProject. */
  readonly projects: ReadonlyMap<string, TreeObject>;
}

const INDEXES = new WeakMap<readonly TreeObject[], ArgoIndex>();

function indexOf(ctx: RuleContext): ArgoIndex {
  const known = INDEXES.get(ctx.objects);
  if (known) return known;
  const direct = new Map<string, TreeObject[]>();
  const deep = new Map<string, TreeObject[]>();
  const add = (m: Map<string, TreeObject[]>, key: string, o: TreeObject) => {
    const l = m.get(key);
    if (l) l.push(o);
    else m.set(key, [o]);
  };
  for (const o of ctx.objects) {
    const folders = o.path.split('/').slice(0, -1);
    add(direct, folders.join('/'), o);
    for (let i = 0; i <= folders.length; i++) add(deep, folders.slice(0, i).join('/'), o);
  }
  const projects = new Map<string, TreeObject>();
  for (const p of ctx.ofKind('AppProject')) {
    const key = `${argoNamespaceOf(p)}/${p.name}`;
    if (!projects.has(key)) projects.set(key, p);
  }
  const index = { direct, deep, projects };
  INDEXES.set(ctx.objects, index);
  return index;
}

/** The AppProject an Application belongs to, looked up in Argo CD's namespace (the Application's). */
function projectOf(index: ArgoIndex, app: TreeObject): TreeObject | undefined {
  return index.projects.get(`${argoNamespaceOf(app)}/${projectNameOf(app)}`);
}

/**
 * The objects a source syncs: its folder's files (every depth with `directory.recurse`), less those
 * `directory.exclude` matches and those `directory.include` does not (globs on the path relative to
 * the folder, as the repo server matches them). Undefined for a folder outside the tree.
 */
function objectsOfSource(index: ArgoIndex, source: Record<string, any>): readonly TreeObject[] | undefined {
  const folder = treeFolderOf(source);
  if (folder === undefined) return undefined;
  const directory = source.directory ?? {};
  const all = (directory.recurse === true ? index.deep : index.direct).get(folder) ?? [];
  const include = str(directory.include);
  const exclude = str(directory.exclude);
  if (include === '' && exclude === '') return all;
  const offset = folder === '' ? 0 : folder.length + 1;
  return all.filter((o) => {
    const rel = o.path.slice(offset);
    return !(exclude !== '' && gobwasMatch(exclude, rel)) && !(include !== '' && !gobwasMatch(include, rel));
  });
}

/** Whether the destination is one Argo CD can resolve (`GetDestinationServer`): a server or a name, not both. */
function hasValidDestination(d: Destination): boolean {
  return (d.server === '') !== (d.name === '');
}

function quote(v: unknown): string {
  return JSON.stringify(v);
}

// ---------------------------------------------------------------------------------------------

export const ARGOCD_RULES: Rule[] = [
  {
    id: 'ARGOCD-DESTINATION',
    kinds: ['Application'],
    checks: 'an Application names its destination cluster by server or by name, not both and not neither',
    mirrors: 'Argo CD util/argo/argo.go GetDestinationServer',
    hint: 'set exactly one of spec.destination.server (the API server URL) and spec.destination.name (the cluster name registered in Argo CD)',
    check(ctx) {
      for (const app of ctx.ofKind('Application')) {
        // No destination at all is the schema's finding (a required field).
        if (app.manifest.spec?.destination === undefined) continue;
        const d = destinationOf(app);
        if (d.server !== '' && d.name !== '') {
          ctx.report(app, `spec.destination: application destination can't have both name and server defined: ${d.name} ${d.server}`);
        } else if (d.server === '' && d.name === '') {
          ctx.report(app, 'spec.destination: Destination server missing from app spec');
        }
      }
    },
  },
  {
    id: 'ARGOCD-PROJECT',
    kinds: ['Application'],
    checks: "an Application's project is an AppProject of the tree, in the Application's namespace",
    mirrors: 'Argo CD controller/appcontroller.go projectErrorToCondition',
    hint: `name an AppProject of the tree in spec.project (${DEFAULT_PROJECT} when unset), kept in the same namespace as the Application (bootstrap/)`,
    check(ctx) {
      const index = indexOf(ctx);
      for (const app of ctx.ofKind('Application')) {
        if (projectOf(index, app) === undefined) {
          ctx.report(app, `spec.project: Application referencing project ${projectNameOf(app)} which does not exist (no AppProject ${argoNamespaceOf(app)}/${projectNameOf(app)} in the tree)`);
        }
      }
    },
  },
  {
    id: 'ARGOCD-PROJECT-DESTINATION',
    kinds: ['Application'],
    checks: "an Application's destination server (or name) and namespace match one of its project's destinations",
    mirrors: 'Argo CD util/argo/argo.go ValidatePermissions, AppProject.IsDestinationPermitted (globs, "!" denies)',
    hint: "deploy to a cluster and namespace the AppProject lists in spec.destinations, or add the pair to the project",
    check(ctx) {
      const index = indexOf(ctx);
      for (const app of ctx.ofKind('Application')) {
        const project = projectOf(index, app);
        const d = destinationOf(app);
        if (project === undefined || !hasValidDestination(d) || isDestinationPermitted(project.manifest, d)) continue;
        ctx.report(
          app,
          `spec.destination: application destination server '${d.name || d.server}' and namespace '${d.namespace}' do not match any of the allowed destinations in project '${project.name}'`,
        );
      }
    },
  },
  {
    id: 'ARGOCD-PROJECT-SOURCE',
    kinds: ['Application'],
    checks: "every source repoURL of an Application matches its project's sourceRepos",
    mirrors: 'Argo CD util/argo/argo.go ValidatePermissions, AppProject.IsSourcePermitted (globs, "!" denies)',
    hint: 'read from a repository the AppProject lists in spec.sourceRepos, or add it to the project',
    check(ctx) {
      const index = indexOf(ctx);
      for (const app of ctx.ofKind('Application')) {
        const project = projectOf(index, app);
        if (project === undefined) continue;
        for (const { field, source } of sourcesOf(app)) {
          if (str(source.repoURL) === '' || isSourcePermitted(project.manifest, source.repoURL)) continue;
          ctx.report(app, `${field}.repoURL: application repo ${source.repoURL} is not permitted in project '${project.name}'`);
        }
      }
    },
  },
  {
    id: 'ARGOCD-SOURCE',
    kinds: ['Application'],
    checks: 'an Application has either spec.source or spec.sources, and each source a repoURL and a path or chart',
    mirrors: 'Argo CD util/argo/argo.go validateSourcePermissions, ApplicationSpec.GetSources',
    hint: 'set spec.source for one folder or spec.sources for several, never both; give every source repoURL and path (or chart)',
    check(ctx) {
      for (const app of ctx.ofKind('Application')) {
        const spec = app.manifest.spec ?? {};
        const hasSource = spec.source !== undefined && spec.source !== null;
        const hasSources = Array.isArray(spec.sources) && spec.sources.length > 0;
        if (hasSource && hasSources) {
          ctx.report(app, 'spec: both source and sources are set: Argo CD syncs spec.sources and silently ignores spec.source');
          continue;
        }
        if (!hasSource && !hasSources) {
          ctx.report(app, 'spec.source: spec.source.repoURL and either spec.source.path or spec.source.chart are required');
          continue;
        }
        for (const { field, source } of sourcesOf(app)) {
          const hasWhat = str(source.path) !== '' || str(source.chart) !== '' || (hasSources && str(source.ref) !== '');
          if (str(source.repoURL) !== '' && hasWhat) continue;
          ctx.report(
            app,
            hasSources
              ? `${field}: spec.source.repoURL and either source.path, source.chart, or source.ref are required`
              : `${field}: spec.source.repoURL and either spec.source.path or spec.source.chart are required`,
          );
        }
      }
    },
  },
  {
    id: 'REF-ARGO-PATH',
    kinds: ['Application'],
    checks: "an Application's source path under the tree's folder is a folder of the tree",
    hint: `point the Application's source path at a folder of the tree that holds manifests (${TREE_PREFIX}/…)`,
    check(ctx) {
      const index = indexOf(ctx);
      for (const app of ctx.ofKind('Application')) {
        for (const { field, source } of sourcesOf(app)) {
          const folder = treeFolderOf(source);
          if (folder !== undefined && !index.deep.has(folder)) ctx.report(app, `${field}.path: source path "${source.path}" is not a folder of the tree`);
        }
      }
    },
  },
  {
    id: 'ARGOCD-PROJECT-RESOURCES',
    kinds: ['Application'],
    checks: "every object an Application syncs is a kind (and, cluster-scoped, a name) its project permits, in a namespace it permits",
    mirrors:
      'Argo CD controller/sync.go validateSyncPermissions, AppProject.IsGroupKindNamePermitted (cluster/namespace resource white- and blacklists), IsDestinationPermitted',
    hint:
      'grant the kind in the AppProject (cluster-scoped: clusterResourceWhitelist with the name; namespaced: namespaceResourceWhitelist), ' +
      "or move the object to an Application whose project grants it; a namespaced object's namespace must be a destination of the project",
    check(ctx) {
      const index = indexOf(ctx);
      for (const app of ctx.ofKind('Application')) {
        const project = projectOf(index, app);
        if (project === undefined) continue;
        const d = destinationOf(app);
        for (const { field, source } of sourcesOf(app)) {
          for (const o of objectsOfSource(index, source) ?? []) {
            const group = apiGroupOf(str(o.manifest.apiVersion));
            const namespaced = !isClusterScoped(group, o.kind);
            const by = `synced by Application ${app.name} from ${field}`;
            if (!isGroupKindNamePermitted(project.manifest, group, o.kind, o.name, namespaced)) {
              const lists = namespaced ? 'namespaceResourceWhitelist/namespaceResourceBlacklist' : 'clusterResourceWhitelist/clusterResourceBlacklist';
              ctx.report(o, `kind: resource ${group}:${o.kind} is not permitted in project ${project.name} (${lists}; ${by})`);
              continue;
            }
            if (!namespaced || !hasValidDestination(d)) continue;
            const namespace = o.namespace || d.namespace;
            if (!isDestinationPermitted(project.manifest, { ...d, namespace })) {
              ctx.report(o, `metadata.namespace: namespace ${namespace} is not permitted in project '${project.name}' (${by})`);
            }
          }
        }
      }
    },
  },
  {
    id: 'ARGOCD-SYNC-WAVE',
    kinds: '*',
    checks: `${SYNC_WAVE_ANNOTATION} is an integer`,
    mirrors: 'gitops-engine pkg/sync/syncwaves/waves.go Wave (strconv.Atoi)',
    hint: `write the wave as a whole number in quotes, e.g. ${SYNC_WAVE_ANNOTATION}: "-1"`,
    check(ctx) {
      for (const o of ctx.objects) {
        const annotations = o.manifest.metadata?.annotations ?? {};
        if (!(SYNC_WAVE_ANNOTATION in annotations)) continue;
        const value = annotations[SYNC_WAVE_ANNOTATION];
        const ok = typeof value === 'string' && /^[+-]?[0-9]+$/.test(value) && BigInt(value) >= INT64_MIN && BigInt(value) <= INT64_MAX;
        if (!ok) {
          ctx.report(o, `metadata.annotations[${SYNC_WAVE_ANNOTATION}]: ${quote(value)} is not an integer: Argo CD's strconv.Atoi fails on it and the object silently falls back to wave 0`);
        }
      }
    },
  },
  {
    id: 'ARGOCD-HOOK',
    kinds: '*',
    checks: `${HOOK_ANNOTATION} and ${HOOK_DELETE_POLICY_ANNOTATION} name known hook types and delete policies, comma-separated`,
    mirrors: 'gitops-engine pkg/sync/common/types.go NewHookType, NewHookDeletePolicy; Argo CD controller/hook.go (PreDelete, PostDelete)',
    hint: `use ${HOOK_TYPES.join(', ')} for the hook and ${HOOK_DELETE_POLICIES.join(', ')} for its delete policy, spelled exactly so`,
    check(ctx) {
      for (const o of ctx.objects) {
        const annotations = o.manifest.metadata?.annotations ?? {};
        for (const [key, known, what] of [
          [HOOK_ANNOTATION, HOOK_TYPES, 'hook type'],
          [HOOK_DELETE_POLICY_ANNOTATION, HOOK_DELETE_POLICIES, 'hook delete policy'],
        ] as const) {
          if (!(key in annotations)) continue;
          const raw = annotations[key];
          // GetAnnotationCSVs: split on ",", trim, drop empty values.
          const values = typeof raw === 'string' ? raw.split(',').map((v) => v.trim()).filter((v) => v !== '') : [];
          const unknown = values.filter((v) => !(known as readonly string[]).includes(v));
          if (values.length === 0) {
            ctx.report(o, `metadata.annotations[${key}]: ${quote(raw)} names no ${what} (allowed: ${known.join(', ')})`);
          } else if (unknown.length > 0) {
            ctx.report(o, `metadata.annotations[${key}]: ${unknown.map(quote).join(', ')} is not a ${what}: Argo CD silently ignores it (allowed: ${known.join(', ')})`);
          }
        }
      }
    },
  },
];
