import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, JSONSchemaType, ValidateFunction } from 'ajv';
import { DNS_1123_LABEL_PATTERN } from '../predicates/dns-names';
import { ARGOCD_RELEASE_PATTERN } from '../tree/argocd-release';
import { loadAjv, precompiledValidators } from '../runtime/precompiled-validators';
import { ConfigError, ConfigProblem } from './config-error';
import { SYMLINKS_REFUSED, readRegularFile } from './regular-file';
import { SourceMap, fieldName, isNodeWithRange } from './source-map';

/** Name of the file, at the project root, that says where Argo CD reads the tree from. */
export const GITOPS_CONFIG_FILE = 'gitops.config.yaml';

/** Largest config read, in bytes: the file is a few hundred bytes, and a larger one is a mistake. */
export const GITOPS_CONFIG_LIMIT = 64 * 1024;

const FIELDS = 'repository.url, repository.targetRevision, argocd.namespace, argocd.url, argocd.project and argocd.minVersion';

/**
 * Where Argo CD reads this repository's `gitops/` tree from, and the Argo CD it runs in: the one
 * place the repository URL and the tracked revision are set.
 */
export interface GitopsConfig {
  /** Path of the file this was read from, relative to the project root (for provenance headers). */
  readonly file: string;
  readonly repository: {
    /** The URL Argo CD clones: `https://…`, `ssh://…` or `git@host:path`. */
    readonly url: string;
    /** Branch, tag or commit SHA every Application tracks. */
    readonly targetRevision: string;
  };
  readonly argocd: {
    /** Namespace Argo CD runs in; its Applications, AppProjects and ConfigMaps live there. */
    readonly namespace: string;
    /** Base URL of the Argo CD web UI, linked from notifications. */
    readonly url: string;
    /** Name of the AppProject of the platform's Applications. */
    readonly project: string;
    /**
     * The oldest Argo CD release (`MAJOR.MINOR.PATCH`) the tree is written for. Validation refuses
     * a tree using an Argo CD field newer than this (`ARGO-VERSION-FLOOR`).
     */
    readonly minVersion: string;
  };
}

type GitopsConfigFile = Omit<GitopsConfig, 'file'>;

/** Also what scripts/build.js compiles the schema ahead of time with. */
export const GITOPS_CONFIG_AJV_OPTIONS = { allErrors: true, strict: true, verbose: true } as const;

export const gitopsConfigSchema: JSONSchemaType<GitopsConfigFile> = {
  type: 'object',
  additionalProperties: false,
  required: ['repository', 'argocd'],
  properties: {
    repository: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'targetRevision'],
      properties: {
        url: {
          type: 'string',
          pattern: '^(?:(?:https|ssh)://[^\\s/?#]+/[^\\s?#]+|[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s?#]+)$',
          description: 'a git repository URL: https://host/path, ssh://user@host/path or user@host:path',
        },
        targetRevision: {
          type: 'string',
          maxLength: 255,
          // git check-ref-format, roughly: no spaces, no "..", no leading "-" or "/", no trailing "/" or ".lock".
          pattern: '^(?!-)(?!/)(?!.*\\.\\.)(?!.*//)(?!.*/$)(?!.*\\.lock$)[A-Za-z0-9._/-]+$',
          description: 'a branch, tag or commit SHA, e.g. main or v1.4.2: letters, digits, ".", "_", "-" and "/"',
        },
      },
    },
    argocd: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'url', 'project', 'minVersion'],
      properties: {
        namespace: {
          type: 'string',
          maxLength: 63,
          pattern: DNS_1123_LABEL_PATTERN,
          description: 'a namespace name: a DNS-1123 label of at most 63 lowercase letters, digits and "-"',
        },
        url: {
          type: 'string',
          pattern: '^https://[^\\s/?#]+(?:/[^\\s?#]*[^\\s?#/])?$',
          description: 'an https:// URL of the Argo CD web UI, without a trailing slash, e.g. https://argocd.example.com',
        },
        project: {
          type: 'string',
          // The root Application is `<project>-root`: room for the suffix within a label.
          maxLength: 50,
          pattern: DNS_1123_LABEL_PATTERN,
          description: 'an AppProject name: a DNS-1123 label of at most 50 lowercase letters, digits and "-"',
        },
        minVersion: {
          type: 'string',
          pattern: ARGOCD_RELEASE_PATTERN,
          description: 'an Argo CD release as MAJOR.MINOR.PATCH in quotes, without "v", e.g. "3.3.0": the oldest release the tree is written for',
        },
      },
    },
  },
};

/**
 * The project root this code belongs to: the nearest folder above it with a package.json. The
 * config describes the repository the code is in, so it is found from the code (sources or the
 * dist/ bundle), whatever folder synth runs in or writes to.
 */
function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** The project's own `gitops.config.yaml`. */
export function defaultGitopsConfigPath(): string {
  return path.join(projectRoot(), GITOPS_CONFIG_FILE);
}

/**
 * Reads and validates the gitops config. Throws a `ConfigError` listing every problem, each with
 * file, line, column, field, the value found and what is allowed.
 *
 * The file must be a regular file: a symbolic link is refused, never followed (its target can
 * change, or point outside the repository, without any change reviewers see), and a directory,
 * FIFO or device is refused without being opened.
 */
export function loadGitopsConfig(file: string = defaultGitopsConfigPath(), options: { root?: string } = {}): GitopsConfig {
  const absolute = path.resolve(file);
  const shown = path.relative(path.resolve(options.root ?? projectRoot()), absolute).split(path.sep).join('/');
  const refuse = (field: string, value: unknown, allowed: string) => new ConfigError([{ file: shown, line: 1, column: 1, field, value, allowed }]);
  const read = readRegularFile(absolute, GITOPS_CONFIG_LIMIT);
  if (!('text' in read)) {
    switch (read.refused) {
      case 'kind':
        throw refuse(
          '(file type)',
          read.linkTarget === undefined ? read.kind : `${read.kind} to ${read.linkTarget}`,
          read.kind === 'a symbolic link'
            ? `a regular ${GITOPS_CONFIG_FILE}; ${SYMLINKS_REFUSED}; replace the link with the file it points to`
            : `a regular ${GITOPS_CONFIG_FILE} with ${FIELDS} (${read.kind} is never opened)`,
        );
      case 'size':
        throw refuse('(file size)', read.size, `at most ${read.limit} bytes: ${GITOPS_CONFIG_FILE} is a few hundred bytes, and a larger one is refused unread`);
      case 'unreadable':
        throw refuse('(file)', undefined, `a readable ${GITOPS_CONFIG_FILE} with ${FIELDS} (${read.cause})`);
    }
  }
  const source = SourceMap.parse(shown, read.text);
  const doc = source.doc;
  const duplicates = source.duplicateKeyProblems();
  if (doc.errors.length > 0 || duplicates.length > 0) {
    throw new ConfigError([...source.syntaxProblems(), ...duplicates].sort((a, b) => a.line - b.line || a.column - b.column));
  }
  const aliases = source.aliasProblem();
  if (aliases) throw new ConfigError([aliases]);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // e.g. alias expansion beyond the YAML library's limit.
    throw refuse('(yaml)', undefined, `a plain YAML document (${(e as Error).message})`);
  }
  const validate =
    (precompiledValidators('config-validators.js')?.gitopsConfig as ValidateFunction<GitopsConfigFile> | undefined) ??
    new (loadAjv())(GITOPS_CONFIG_AJV_OPTIONS).compile(gitopsConfigSchema);
  if (validate(data)) return Object.freeze({ file: shown, ...data });

  const problems = (validate.errors ?? []).map((error): ConfigProblem => {
    const segments = error.instancePath === '' ? [] : error.instancePath.slice(1).split('/');
    const extra = extraSegment(error);
    const fieldSegments = extra === undefined ? segments : [...segments, extra];
    const { node } = source.nodeAt(error.keyword === 'additionalProperties' ? fieldSegments : segments);
    return source.problem(
      isNodeWithRange(node) ? node.range[0] : 0,
      fieldSegments.length === 0 ? '(document)' : fieldName(fieldSegments),
      error.keyword === 'required' ? undefined : error.keyword === 'additionalProperties' ? (error.data as any)?.[extra!] : error.data,
      allowedText(error),
    );
  });
  throw new ConfigError(problems);
}

function extraSegment(error: ErrorObject): string | undefined {
  if (error.keyword === 'required') return String((error.params as { missingProperty: string }).missingProperty);
  if (error.keyword === 'additionalProperties') return String((error.params as { additionalProperty: string }).additionalProperty);
  return undefined;
}

function allowedText(error: ErrorObject): string {
  const parent = (error.parentSchema ?? {}) as { description?: string; properties?: Record<string, { description?: string }> };
  switch (error.keyword) {
    case 'required': {
      const missing = extraSegment(error)!;
      return `required: ${parent.properties?.[missing]?.description ?? 'a mapping'}`;
    }
    case 'additionalProperties':
      return `unknown field; allowed: ${Object.keys(parent.properties ?? {}).sort().join(', ')}`;
    case 'type':
      return parent.description ?? `a ${(error.params as { type: string }).type}`;
    default:
      return parent.description ?? error.message ?? error.keyword;
  }
}
