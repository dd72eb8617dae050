import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isScalar } from 'yaml';
import { ConfigError, ConfigProblem } from './config-error';
import { Environment } from './environment';
import { FILE_NAME_FIELD, environmentEntries, fileTypeRefusal, isEnvironmentName } from './environment-entries';
import { DNS_1123_LABEL_DESCRIPTION } from '../predicates/dns-names';
import { EnvironmentFile, environmentSchema } from './environment-schema';
import { imageReferenceProblem, parseImageReference } from './image-reference';
import { minInSyncReplicasProblem, quorumSizeProblem, replicationFactorProblem } from '../predicates/kafka-sizing';
import { defaultNonHeapBytes, memoryLimitProblem, nonHeapProblem } from '../predicates/jvm-memory';
import { parseCpu, parseMemory } from '../predicates/quantity';
import { minReplicasProblem } from '../predicates/replica-range';
import { readRegularFile } from './regular-file';
import { SourceMap, fieldName } from './source-map';
import { credentialShape } from '../predicates/credentials';
import { TLS_LOAD_BALANCER_ANNOTATIONS } from '../predicates/aws-load-balancer';
import { CIDR_DESCRIPTION, cidrProblem, ipFamily, parseCidr } from '../predicates/cidr';
import { labelKeyProblem } from '../predicates/label-key';
import { loadAjv, precompiledValidators } from '../runtime/precompiled-validators';
import { locatePatches, patchProblems } from './patches';
import { serviceBases, serviceProblems, servicesCalledBy } from './service-settings';
import { backendOwnership, FRONTEND_OWNERSHIP } from './component-workloads';
import { workloadSettingsProblems } from './workload-settings';
import { isPlainObject, valueAt } from './document-value';

export interface LoadEnvironmentOptions {
  /**
   * Directory that file paths in messages and in `Environment.file` are relative to.
   * @default process.cwd()
   */
  readonly root?: string;
}

export interface LoadEnvironmentsOptions extends LoadEnvironmentOptions {
  /** Load only these environments (by name); naming one that has no file is an error. */
  readonly only?: string[];
}

/**
 * Largest environment file read, in bytes. An environment file is a few kilobytes; anything near
 * this is a mistake (a pasted log, a binary), refused before it is parsed: the YAML library reads
 * dense input at a few hundred kilobytes a second on small machines, so a larger file would cost
 * seconds before any check could run.
 */
export const ENVIRONMENT_FILE_LIMIT = 256 * 1024;
/** Looked up once: a global read costs more inside a VM context (as under jest), per value here. */
const { isArray } = Array;
const FOLDER_FIELD = '(folder)';
const FILE_FIELD = '(file)';
const FILE_SIZE_FIELD = '(file size)';
const YAML_FIELD = '(yaml)';
const COMPONENTS = Object.keys(environmentSchema.properties.components.properties) as (keyof EnvironmentFile['components'])[];
const JVM_NON_HEAP = ['components', 'backend', 'jvm', 'nonHeap'];
const QUANTITY_PATHS = [...COMPONENTS.map((component) => ['components', component]), ['kafka']].flatMap((base) =>
  (['requests', 'limits'] as const).flatMap((kind) =>
    (['cpu', 'memory'] as const).map((resource) => [...base, 'resources', kind, resource]),
  ),
).concat([JVM_NON_HEAP]);
/** Where a service's quantities are below its own path. */
const QUANTITY_SUFFIXES = (['requests', 'limits'] as const).flatMap((kind) => (['cpu', 'memory'] as const).map((resource) => ['resources', kind, resource]));

/**
 * Reads and validates one environment file. Throws a `ConfigError` listing every problem in it.
 */
export function loadEnvironment(filePath: string, options: LoadEnvironmentOptions = {}): Environment {
  const root = path.resolve(options.root ?? process.cwd());
  const result = readEnvironment(path.resolve(filePath), root);
  if (!result.environment) {
    throw new ConfigError(sortProblems(result.problems));
  }
  return result.environment;
}

/**
 * Reads and validates every environment file of `dir`, sorted by name. Throws one `ConfigError`
 * listing the problems of all files together.
 *
 * Every entry named like an environment file (see `isEnvironmentCandidate`) is loaded or refused
 * by name, never skipped: a skipped file would remove its environment from gitops/, and Argo CD
 * would prune it. Only regular files named `<name>.yaml` (lowercase, not hidden) load. Symbolic
 * links are refused, never followed: a link's target can change, or point outside the
 * repository, without any change to the file reviewers see. Directories, FIFOs, sockets and
 * devices so named are refused without being opened.
 */
export function loadEnvironments(dir: string, options: LoadEnvironmentsOptions = {}): Environment[] {
  const root = path.resolve(options.root ?? process.cwd());
  const absoluteDir = path.resolve(dir);
  const folderProblem = (allowed: string) =>
    new ConfigError([{ file: relativePath(root, absoluteDir), line: 1, column: 1, field: FOLDER_FIELD, value: dir, allowed }]);
  if (!fs.statSync(absoluteDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw folderProblem('a folder of environment files <name>.yaml');
  }
  const candidates = environmentEntries(absoluteDir);

  if (candidates.length === 0) {
    // An empty tree would remove every object of every environment, and Argo CD prunes them.
    throw folderProblem('a folder holding at least one environment file <name>.yaml (synthesizing none would delete every deployed object)');
  }

  let selected = candidates;
  if (options.only) {
    const known = new Set(candidates.map((c) => c.name));
    const unknown = options.only.filter((name) => !known.has(name));
    if (unknown.length > 0) {
      const list = unknown.map((name) => {
        const suggestion = closest(name, [...known]);
        return JSON.stringify(name) + (suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : '');
      });
      throw new Error(
        `unknown environment${unknown.length > 1 ? 's' : ''} ${list.join(', ')}; ` +
          `${relativePath(root, absoluteDir)} has: ${[...known].join(', ') || '(none)'}`,
      );
    }
    const wanted = new Set(options.only);
    selected = candidates.filter((c) => wanted.has(c.name));
  }

  const problems: ConfigProblem[] = [];
  const loaded: Required<ReadResult>[] = [];
  for (const candidate of selected) {
    if (candidate.refusals.length > 0) {
      const file = relativePath(root, candidate.file);
      for (const refusal of candidate.refusals) problems.push({ file, line: 1, column: 1, ...refusal });
      continue;
    }
    const result = readEnvironment(candidate.file, root);
    append(problems, result.problems);
    if (result.environment && result.source) {
      loaded.push({ environment: result.environment, problems: result.problems, source: result.source });
    }
  }
  append(problems, sharedNamespaceProblems(loaded));
  append(problems, sharedHostProblems(loaded));

  if (problems.length > 0) {
    throw new ConfigError(sortProblems(problems));
  }
  return loaded.map((l) => l.environment);
}

interface ReadResult {
  /** Set only when the file has no problem at all. */
  readonly environment?: Environment;
  readonly problems: ConfigProblem[];
  readonly source?: SourceMap;
}

function readEnvironment(absoluteFile: string, root: string): ReadResult {
  const file = relativePath(root, absoluteFile);
  const name = path.basename(absoluteFile, path.extname(absoluteFile));
  const problems: ConfigProblem[] = [];
  const fileProblem = (field: string, value: unknown, allowed: string) => problems.push({ file, line: 1, column: 1, field, value, allowed });

  if (!isEnvironmentName(name)) {
    fileProblem(FILE_NAME_FIELD, name, `${DNS_1123_LABEL_DESCRIPTION}, since the file's base name is the environment's name`);
  }

  const read = readRegularFile(absoluteFile, ENVIRONMENT_FILE_LIMIT);
  if (!('text' in read)) {
    if (read.refused === 'kind') {
      const refusal = fileTypeRefusal(read.kind, read.linkTarget);
      fileProblem(refusal.field, refusal.value, refusal.allowed);
    } else if (read.refused === 'size') {
      fileProblem(
        FILE_SIZE_FIELD,
        read.size,
        `at most ${read.limit} bytes (${formatBytes(read.limit)}): an environment file is a few kilobytes, ` +
          `and this one (${formatBytes(read.size)}) is refused unread`,
      );
    } else {
      fileProblem(FILE_FIELD, read.code, `an environment file synth can read (${read.cause})`);
    }
    return { problems };
  }
  const source = SourceMap.parse(file, read.text);
  const doc = source.doc;

  const duplicates = source.duplicateKeyProblems();
  if (doc.errors.length > 0 || duplicates.length > 0) {
    // A document with syntax errors is only a guess of what was meant, and one with a key set
    // twice is two guesses; validating a guess would bury the real problem under consequential
    // ones.
    append(problems, source.syntaxProblems());
    append(problems, duplicates);
    return { problems, source };
  }
  const aliases = source.aliasProblem();
  if (aliases) {
    problems.push(aliases);
    return { problems, source };
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // e.g. alias expansion beyond yaml's limit (a "billion laughs" document).
    problems.push(source.problem(0, YAML_FIELD, undefined, `a plain YAML document (${(e as Error).message})`));
    return { problems, source };
  }
  keepQuantitySpelling(data, source);

  const validate = validator();
  const schemaProblems = validate(data) ? [] : dedupe((validate.errors ?? []).map((error) => schemaProblem(error, source, name)));
  append(problems, schemaProblems);
  const flagged = new Set(schemaProblems.map((p) => p.field));
  append(problems, semanticProblems(data, source, flagged));
  append(problems, credentialProblems(data, source));

  if (problems.length > 0) {
    return { problems, source };
  }
  const { patches: written, ...fields } = data as EnvironmentFile;
  const clusters = fields.clusters ?? [fields.cluster!];
  const patches = written ? { patches: locatePatches(written, source) } : {};
  return { environment: deepFreeze({ name, file, ...fields, clusters, ...patches }), problems, source };
}

let compiled: ValidateFunction<EnvironmentFile> | undefined;

/** Also what scripts/build.js compiles the schema ahead of time with. */
export const ENVIRONMENT_AJV_OPTIONS = {
  allErrors: true,
  // Gives each error its schema and data, which the messages are built from.
  verbose: true,
  strict: true,
  validateSchema: false,
  code: { optimize: false },
} as const;

/**
 * Compiled once, on first use, and as cheaply as possible since every synth pays for it. The
 * schema is a constant, checked against the draft-07 meta-schema by the tests, and the validator
 * runs on a handful of small files: skipping the meta-schema check and code optimization roughly
 * halves compile time.
 */
function validator(): ValidateFunction<EnvironmentFile> {
  compiled ??=
    (precompiledValidators('config-validators.js')?.environment as ValidateFunction<EnvironmentFile> | undefined) ??
    new (loadAjv())(ENVIRONMENT_AJV_OPTIONS).compile(environmentSchema);
  return compiled;
}

/**
 * YAML reads `cpu: 1` and `memory: 1073741824` as numbers, while a Kubernetes quantity is a
 * string. Taking the text as written (rather than `String(value)`) keeps `0.50` and `1e3` as the
 * author spelled them, so the pattern judges what is in the file.
 */
function keepQuantitySpelling(data: unknown, source: SourceMap): void {
  const servicePaths = serviceBases(data).flatMap((base) => QUANTITY_SUFFIXES.map((suffix) => [...base, ...suffix]));
  for (const segments of [...QUANTITY_PATHS, ...servicePaths]) {
    const parent = valueAt(data, segments.slice(0, -1));
    const key = segments[segments.length - 1];
    if (isPlainObject(parent) && typeof parent[key] === 'number') {
      const node = source.nodeAt(segments).node;
      parent[key] = isScalar(node) && typeof node.source === 'string' ? node.source : String(parent[key]);
    }
  }
}

function schemaProblem(error: ErrorObject, source: SourceMap, environmentName: string): ConfigProblem {
  const segments = parsePointer(error.instancePath);
  const schema = (error.parentSchema ?? {}) as SchemaNode;
  switch (error.keyword) {
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      const allowed = schema.properties?.[missing] ? describeAllowed(schema.properties[missing]) : 'a value';
      // Nothing to point at but the mapping that lacks the key.
      return source.problem(source.valueOffset(segments), fieldName([...segments, missing]), undefined, `required: ${allowed}`);
    }
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const { keys, list } = sortedKeys(schema);
      const fieldSegments = [...segments, key];
      let allowed: string;
      if (segments.length === 0 && key === 'name') {
        allowed = `not allowed: the environment's name is the file's base name ("${environmentName}"); remove this field`;
      } else {
        const suggestion = closest(key, keys);
        allowed = `unknown field; allowed: ${list}` + (suggestion ? ` (did you mean "${suggestion}"?)` : '');
      }
      return source.problem(source.keyOffset(fieldSegments), fieldName(fieldSegments), valueAt(error.data, [key]), allowed);
    }
    default:
      return source.problem(
        source.valueOffset(segments),
        fieldName(segments),
        error.data,
        describeAllowed(schema),
      );
  }
}

const keysBySchema = new WeakMap<SchemaNode, { keys: string[]; list: string }>();

/** A mapping schema's keys, sorted and listed once: a file may have thousands of unknown keys. */
function sortedKeys(schema: SchemaNode): { keys: string[]; list: string } {
  let known = keysBySchema.get(schema);
  if (!known) {
    const keys = Object.keys(schema.properties ?? {}).sort();
    keysBySchema.set(schema, (known = { keys, list: keys.join(', ') }));
  }
  return known;
}

interface SchemaNode {
  type?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  properties?: Record<string, SchemaNode>;
}

/**
 * What a schema node accepts, in words: numbers from their bounds and mappings from their keys
 * (so those texts cannot drift from the schema), strings from their description, since a
 * pattern is no explanation.
 */
function describeAllowed(schema: SchemaNode): string {
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const kind = schema.type === 'integer' ? 'an integer' : 'a number';
      const { minimum: min, maximum: max } = schema;
      if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
      if (min !== undefined) return `${kind} of at least ${min}`;
      if (max !== undefined) return `${kind} of at most ${max}`;
      return kind;
    }
    case 'object':
      // A mapping of free keys (labels) says in words what it holds.
      if (!schema.properties && schema.description) return schema.description;
      return `a mapping with keys ${Object.keys(schema.properties ?? {}).sort().join(', ')}`;
    default:
      if (schema.description) return schema.description;
      if (schema.enum) return `one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
      return schema.type ? `a ${schema.type}` : 'a valid value';
  }
}

/**
 * Anything shaped like a credential (a token, a webhook URL, a URL with a password) refuses the
 * file: environment files are committed, and Argo CD applies what they become. The value itself
 * is never repeated in the message, only its first characters.
 */
function credentialProblems(data: unknown, source: SourceMap): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // One path, extended and shortened as the walk goes: copied only for a finding, since a file
  // may hold thousands of values.
  const segments: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value === 'string') {
      const shape = credentialShape(value);
      if (shape) {
        problems.push(
          source.problem(
            source.valueOffset(segments),
            fieldName(segments),
            value,
            `no credential (this looks like ${shape}): keep it in a Secret created out of band and name the Secret here instead`,
          ),
        );
      }
    } else if (isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        segments.push(`${i}`);
        visit(value[i]);
        segments.pop();
      }
    } else if (isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        segments.push(k);
        visit(v);
        segments.pop();
      }
    }
  };
  visit(data);
  return problems;
}

/** Checks the schema cannot express. Fields that already failed the schema are not judged again. */
function semanticProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (segments: string[], value: unknown, allowed: string) => {
    problems.push(source.problem(source.valueOffset(segments), fieldName(segments), value, allowed));
  };
  const usable = (segments: string[]) => !flagged.has(fieldName(segments)) && valueAt(data, segments) !== undefined;

  append(problems, clusterProblems(data, source, flagged));
  append(problems, kafkaProblems(data, source, flagged));
  append(problems, jvmProblems(data, source, flagged));
  append(problems, ingressProblems(data, source, flagged));
  append(problems, networkProblems(data, source, flagged));
  append(problems, patchProblems(data, source, flagged));
  append(problems, serviceProblems(data, source, flagged));
  append(problems, componentWorkloadProblems(data, source, flagged));

  // A service of `services:` has a component's image, replicas and resources, judged alike.
  for (const base of [...COMPONENTS.map((component) => ['components', component]), ...serviceBases(data)]) {
    if (!isPlainObject(valueAt(data, base))) continue;

    const image = [...base, 'image'];
    const ref = valueAt(data, image);
    if (usable(image) && typeof ref === 'string') {
      const problem = imageReferenceProblem(ref);
      if (problem !== undefined) {
        let wellFormed = true;
        try {
          parseImageReference(ref);
        } catch {
          wellFormed = false;
        }
        report(
          image,
          ref,
          wellFormed
            ? `a tag other than "latest" or a digest (${problem})`
            : `an image reference [registry[:port]/]path[:tag][@sha256:<64 hex digits>] (${problem})`,
        );
      }
    }

    const min = [...base, 'replicas', 'min'];
    const max = [...base, 'replicas', 'max'];
    if (usable(min) && usable(max)) {
      const [minValue, maxValue] = [valueAt(data, min) as number, valueAt(data, max) as number];
      const problem = minReplicasProblem(minValue, maxValue, fieldName(max));
      if (problem !== undefined) report(min, minValue, problem);
    }

    for (const [resource, parse] of [
      ['cpu', parseCpu],
      ['memory', parseMemory],
    ] as const) {
      const request = [...base, 'resources', 'requests', resource];
      const limit = [...base, 'resources', 'limits', resource];
      const requested = usable(request) ? quantity(parse, valueAt(data, request)) : undefined;
      const limited = usable(limit) ? quantity(parse, valueAt(data, limit)) : undefined;
      if (resource === 'cpu' && requested === 0) {
        report(request, valueAt(data, request), `more than zero: cpuTargetPercent is a percentage of the CPU request`);
      }
      if (requested !== undefined && limited !== undefined && requested > limited) {
        report(request, valueAt(data, request), `at most the limit, ${fieldName(limit)}: ${JSON.stringify(valueAt(data, limit))}`);
      }
    }
  }
  return problems;
}

/**
 * An environment names its clusters one way: `cluster:` or `clusters:`. In a list, each cluster is
 * there once, by server and by name: a name appears in the names of the Applications deploying to
 * it, and a server twice would deploy the same objects twice to one place.
 */
function clusterProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  if (!isPlainObject(data)) return [];
  const problems: ConfigProblem[] = [];
  if (data.cluster !== undefined && data.clusters !== undefined) {
    problems.push(
      source.problem(source.keyOffset(['clusters']), 'clusters', data.clusters, 'either cluster (one) or clusters (a list), not both'),
    );
  } else if (data.cluster === undefined && data.clusters === undefined) {
    problems.push(
      source.problem(
        source.valueOffset([]),
        'cluster',
        undefined,
        'required: cluster (a mapping with keys name, server) or clusters (a list of such mappings)',
      ),
    );
  }
  if (!Array.isArray(data.clusters) || flagged.has('clusters')) return problems;
  for (const key of ['server', 'name'] as const) {
    const first = new Map<unknown, number>();
    data.clusters.forEach((cluster: unknown, index) => {
      const value = isPlainObject(cluster) ? cluster[key] : undefined;
      if (typeof value !== 'string' || flagged.has(`clusters[${index}].${key}`)) return;
      const earlier = first.get(value);
      if (earlier === undefined) first.set(value, index);
      else {
        problems.push(
          source.problem(
            source.valueOffset(['clusters', String(index), key]),
            `clusters[${index}].${key}`,
            value,
            `a ${key} no other cluster of this environment has (clusters[${earlier}] has it)`,
          ),
        );
      }
    });
  }
  return problems;
}

/**
 * Kafka sizing the schema cannot express: every broker is also a KRaft controller, so the broker
 * count is the quorum's size and must be odd to be worth its last member; a topic cannot have more
 * replicas than brokers, and with more than one broker its min in-sync replicas must stay below
 * its replication factor, or a single broker down stops every `acks=all` write.
 */
function kafkaProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (segments: string[], value: unknown, allowed: string) => {
    problems.push(source.problem(source.valueOffset(segments), fieldName(segments), value, allowed));
  };
  const usable = (segments: string[]) => !flagged.has(fieldName(segments)) && valueAt(data, segments) !== undefined;
  if (!isPlainObject(valueAt(data, ['kafka']))) return problems;

  const image = ['kafka', 'image'];
  const ref = valueAt(data, image);
  if (usable(image) && typeof ref === 'string') {
    const problem = imageReferenceProblem(ref);
    if (problem !== undefined) report(image, ref, `the apache/kafka image with a tag other than "latest" or a digest (${problem})`);
  }

  const brokersField = ['kafka', 'brokers'];
  const brokers = usable(brokersField) ? (valueAt(data, brokersField) as number) : undefined;
  const quorumProblem = brokers !== undefined ? quorumSizeProblem(brokers) : undefined;
  if (quorumProblem !== undefined) report(brokersField, brokers, quorumProblem);

  const topics = valueAt(data, ['kafka', 'topics']);
  const names: string[] = [];
  // Beside the list (kept for messages), for one lookup per topic however long the list is.
  const seen = new Set<string>();
  if (Array.isArray(topics)) {
    topics.forEach((topic, i) => {
      const base = ['kafka', 'topics', String(i)];
      if (!isPlainObject(topic)) return;
      const nameField = [...base, 'name'];
      if (usable(nameField) && typeof topic.name === 'string') {
        if (seen.has(topic.name)) report(nameField, topic.name, 'a name no other topic of the list has');
        names.push(topic.name);
        seen.add(topic.name);
      }
      const rfField = [...base, 'replicationFactor'];
      const isrField = [...base, 'minInSyncReplicas'];
      const rf = usable(rfField) ? (topic.replicationFactor as number) : undefined;
      const isr = usable(isrField) ? (topic.minInSyncReplicas as number) : undefined;
      const rfProblem = rf !== undefined && brokers !== undefined ? replicationFactorProblem(rf, brokers, 'kafka.brokers') : undefined;
      if (rfProblem !== undefined) report(rfField, rf, rfProblem);
      const isrProblem = rf !== undefined && isr !== undefined && brokers !== undefined ? minInSyncReplicasProblem(isr, rf, brokers) : undefined;
      if (isrProblem !== undefined) report(isrField, isr, isrProblem);
    });
  }

  const chatTopic = ['kafka', 'chatTopic'];
  const chat = valueAt(data, chatTopic);
  if (usable(chatTopic) && Array.isArray(topics) && typeof chat === 'string' && !seen.has(chat)) {
    const suggestion = closest(chat, names);
    report(chatTopic, chat, `the name of one of kafka.topics: ${names.join(', ') || '(none)'}` + (suggestion ? ` (did you mean "${suggestion}"?)` : ''));
  }

  for (const [resource, parse] of [
    ['cpu', parseCpu],
    ['memory', parseMemory],
  ] as const) {
    const request = ['kafka', 'resources', 'requests', resource];
    const limit = ['kafka', 'resources', 'limits', resource];
    const requested = usable(request) ? quantity(parse, valueAt(data, request)) : undefined;
    const limited = usable(limit) ? quantity(parse, valueAt(data, limit)) : undefined;
    if (requested !== undefined && limited !== undefined && requested > limited) {
      report(request, valueAt(data, request), `at most the limit, ${fieldName(limit)}: ${JSON.stringify(valueAt(data, limit))}`);
    }
  }
  return problems;
}

/**
 * The edge the schema cannot pin down: which of `className` and `gateway` goes with which `edge`,
 * a TLS certificate for every load balancer (one without would publish plain HTTP beside the TLS
 * edge), and a Gateway written here living in the environment's namespace, the only one its
 * Argo CD project may deploy to.
 */
function ingressProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ingress = valueAt(data, ['ingress']);
  if (!isPlainObject(ingress) || flagged.has('ingress')) return problems;
  const at = (segments: string[]) => source.valueOffset(segments);
  const report = (segments: string[], value: unknown, allowed: string) => {
    if (!flagged.has(fieldName(segments))) problems.push(source.problem(at(segments), fieldName(segments), value, allowed));
  };
  const missing = (segments: string[], allowed: string) => {
    problems.push(source.problem(at(segments.slice(0, -1)), fieldName(segments), undefined, allowed));
  };

  const edge = ingress.edge ?? 'ingress';
  if (edge === 'ingress') {
    if (ingress.className === undefined) missing(['ingress', 'className'], 'required with edge "ingress": the IngressClass of the ingress-nginx controller, e.g. "nginx"');
    if (ingress.gateway !== undefined) report(['ingress', 'gateway'], ingress.gateway, 'unset with edge "ingress" (set ingress.edge: gateway to route through a Gateway)');
  } else if (edge === 'gateway') {
    if (ingress.gateway === undefined) missing(['ingress', 'gateway'], 'required with edge "gateway": a mapping with keys dataPlane, gatewayClassName, name, namespace, sectionName (name required)');
    if (ingress.className !== undefined) report(['ingress', 'className'], ingress.className, 'unset with edge "gateway" (an IngressClass names an Ingress controller, which this edge does not use)');
  }

  const gateway = ingress.gateway;
  if (isPlainObject(gateway) && gateway.gatewayClassName !== undefined) {
    const namespace = valueAt(data, ['namespace']);
    if (gateway.namespace !== undefined && gateway.namespace !== namespace) {
      report(['ingress', 'gateway', 'namespace'], gateway.namespace, `unset or the environment's namespace (${JSON.stringify(namespace)}) with gatewayClassName: the Gateway written here lives there, the only namespace its Argo CD project may deploy to`);
    }
    if (gateway.sectionName !== undefined && gateway.sectionName !== 'https') {
      report(['ingress', 'gateway', 'sectionName'], gateway.sectionName, 'unset or "https" with gatewayClassName: the Gateway written here has the listeners "https" and "http" (a redirect only)');
    }
  }

  if (ingress.serviceType === 'LoadBalancer' && ingress.loadBalancer === undefined) {
    report(
      ['ingress', 'serviceType'],
      'LoadBalancer',
      '"ClusterIP", or "LoadBalancer" with ingress.loadBalancer.tlsCertificate (the ACM certificate ARN the load balancer ' +
        'terminates TLS with): a load balancer without one would publish plain HTTP beside the TLS edge',
    );
  } else if (ingress.serviceType !== 'LoadBalancer' && ingress.loadBalancer !== undefined) {
    report(['ingress', 'loadBalancer'], ingress.loadBalancer, 'unset unless ingress.serviceType is "LoadBalancer"');
  }
  const annotations = valueAt(data, ['ingress', 'loadBalancer', 'annotations']);
  if (isPlainObject(annotations)) {
    for (const key of Object.keys(annotations)) {
      if (TLS_LOAD_BALANCER_ANNOTATIONS.includes(key)) {
        report(['ingress', 'loadBalancer', 'annotations', key], annotations[key], 'unset: tlsCertificate and proxyProtocol write this annotation');
      }
    }
  }

  const trusted = ingress.trustedProxies;
  if (isArray(trusted)) {
    trusted.forEach((cidr, i) => {
      const problem = cidrProblem(cidr);
      if (problem !== undefined) report(['ingress', 'trustedProxies', String(i)], cidr, problem);
    });
  }
  return problems;
}

/**
 * A component's workload settings (env, pod labels and annotations, scheduling, stop timing,
 * probes) beyond their shape, against what its chart owns (lib/environment/component-workloads.ts).
 * A setting whose field, or a field inside or around it, failed the schema is not judged again.
 */
function componentWorkloadProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const ownership = { backend: backendOwnership(undefined, servicesCalledBy('backend', valueAt(data, ['services']))), frontend: FRONTEND_OWNERSHIP } as const;
  const within = (field: string, outer: string) => field === outer || field.startsWith(`${outer}.`) || field.startsWith(`${outer}[`);
  const near = (segments: readonly string[]) => {
    const field = fieldName(segments);
    for (const f of flagged) if (within(field, f) || within(f, field)) return true;
    return false;
  };
  return COMPONENTS.flatMap((component) =>
    workloadSettingsProblems(valueAt(data, ['components', component]), ['components', component], ownership[component], near).map((p) =>
      source.problem(p.at === 'key' ? source.keyOffset([...p.segments]) : source.valueOffset([...p.segments]), fieldName(p.segments), p.value, p.allowed),
    ),
  );
}

/**
 * The backend's JVM divides its memory limit between the heap and a non-heap budget
 * (lib/predicates/jvm-memory.ts): the budget must be enough for the JVM's other parts, and the
 * limit must leave a heap worth running beside it.
 */
function jvmProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (segments: string[], value: unknown, allowed: string) => {
    problems.push(source.problem(source.valueOffset(segments), fieldName(segments), value, allowed));
  };
  const usable = (segments: string[]) => !flagged.has(fieldName(segments)) && valueAt(data, segments) !== undefined;
  const limitField = ['components', 'backend', 'resources', 'limits', 'memory'];
  const limit = usable(limitField) ? quantity(parseMemory, valueAt(data, limitField)) : undefined;
  const configured = usable(JVM_NON_HEAP) ? quantity(parseMemory, valueAt(data, JVM_NON_HEAP)) : undefined;
  if (configured !== undefined) {
    const problem = nonHeapProblem(configured);
    if (problem !== undefined) {
      report(JVM_NON_HEAP, valueAt(data, JVM_NON_HEAP), problem);
      return problems;
    }
  } else if (valueAt(data, JVM_NON_HEAP) !== undefined) {
    return problems;
  }
  if (limit === undefined) return problems;
  const nonHeap = configured ?? defaultNonHeapBytes(limit);
  const budgetSource = configured !== undefined ? fieldName(JVM_NON_HEAP) : `the default for this limit; set ${fieldName(JVM_NON_HEAP)} to change it`;
  const problem = memoryLimitProblem(limit, nonHeap, budgetSource);
  if (problem !== undefined) report(limitField, valueAt(data, limitField), problem);
  return problems;
}

/**
 * The network section beyond its shape: label keys, addresses and ranges as the API server parses
 * them (the predicates the constructs use), and the settings that depend on other sections.
 */
function networkProblems(data: unknown, source: SourceMap, flagged: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const network = valueAt(data, ['network']);
  if (!isPlainObject(network) || flagged.has('network')) return problems;
  const report = (segments: string[], value: unknown, allowed: string, offset = source.valueOffset(segments)) => {
    if (!flagged.has(fieldName(segments))) problems.push(source.problem(offset, fieldName(segments), value, allowed));
  };
  const list = (segments: string[]): unknown[] => {
    const value = valueAt(data, segments);
    return isArray(value) && !flagged.has(fieldName(segments)) ? value : [];
  };

  for (const base of [['network', 'monitoring', 'podLabels'], ['network', 'certManagerHttp01', 'from', 'podLabels']]) {
    const labels = valueAt(data, base);
    if (!isPlainObject(labels) || flagged.has(fieldName(base))) continue;
    for (const key of Object.keys(labels)) {
      const problem = labelKeyProblem(key);
      if (problem !== undefined) report([...base, key], key, problem, source.keyOffset([...base, key]));
    }
  }

  list(['network', 'nodeLocalDns', 'addresses']).forEach((address, i) => {
    if (typeof address === 'string' && ipFamily(address) === 0) {
      report(['network', 'nodeLocalDns', 'addresses', String(i)], address, 'an IPv4 or IPv6 address such as "169.254.20.10", without a prefix length: the policy admits that one address');
    }
  });

  const endpoints = list(['network', 'privateEndpoints']);
  endpoints.forEach((cidr, i) => {
    const segments = ['network', 'privateEndpoints', String(i)];
    if (cidrProblem(cidr) !== undefined) report(segments, cidr, CIDR_DESCRIPTION);
    else if (parseCidr(cidr)!.prefixLength === 0) {
      report(segments, cidr, "the range of the endpoints' subnets, not every address: /0 would open 443 to every private address, the cluster's own included");
    }
  });
  if (endpoints.length > 0 && valueAt(data, ['s3', 'endpoint']) !== undefined) {
    report(
      ['network', 'privateEndpoints'],
      endpoints,
      'unset with s3.endpoint: the backend then reaches that endpoint on its port at any address, and AWS S3 not at all',
    );
  }

  const solver = valueAt(data, ['network', 'certManagerHttp01']);
  if (isPlainObject(solver) && solver.enabled !== false && solver.from === undefined && valueAt(data, ['ingress', 'edge']) === 'gateway') {
    problems.push(
      source.problem(
        source.valueOffset(['network', 'certManagerHttp01']),
        'network.certManagerHttp01.from',
        undefined,
        "required with ingress.edge \"gateway\": the namespace and podLabels of the Gateway's data-plane pods, " +
          'which the challenge requests come through (the default is the ingress-nginx controller)',
      ),
    );
  }
  return problems;
}

function quantity(parse: (q: string) => number, value: unknown): number | undefined {
  try {
    return typeof value === 'string' ? parse(value) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Two environments serving one public host would fight over its DNS record, its certificate and
 * its Ingress rules; two using one bucket would mix their users' files.
 */
function sharedHostProblems(loaded: readonly Required<ReadResult>[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [field, valueOf] of [
    ['host', (env: Environment) => env.host],
    ['s3.bucket', (env: Environment) => env.s3.bucket],
  ] as const) {
    const users = new Map<string, Required<ReadResult>[]>();
    for (const result of loaded) {
      const value = valueOf(result.environment);
      const list = users.get(value);
      if (list) list.push(result);
      else users.set(value, [result]);
    }
    for (const [value, sharing] of users) {
      for (const { result, others } of clashes(sharing, value)) {
        const { source } = result;
        problems.push(
          source.problem(source.valueOffset(field.split('.')), field, value, `a ${field} no other environment uses (${listOf(others)} already ${others.length > 1 ? 'have' : 'has'} it)`),
        );
      }
    }
  }
  return problems;
}

/**
 * Two environments in the same namespace of the same cluster would own the same object names,
 * and their Argo CD applications would overwrite each other.
 */
function sharedNamespaceProblems(loaded: readonly Required<ReadResult>[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const users = new Map<string, { server: string; sharing: Required<ReadResult>[] }>();
  for (const result of loaded) {
    for (const cluster of result.environment.clusters) {
      const key = `${cluster.server} ${result.environment.namespace}`;
      const entry = users.get(key);
      if (entry) entry.sharing.push(result);
      else users.set(key, { server: cluster.server, sharing: [result] });
    }
  }
  for (const { server, sharing } of users.values()) {
    const namespace = sharing[0]!.environment.namespace;
    for (const { result, others } of clashes(sharing, namespace)) {
      const { source } = result;
      problems.push(
        source.problem(
          source.valueOffset(['namespace']),
          'namespace',
          namespace,
          `a namespace no other environment uses on ${server} (${listOf(others)} already ${others.length > 1 ? 'deploy' : 'deploys'} there)`,
        ),
      );
    }
  }
  return problems;
}

/**
 * The files to blame for a value several environments share, each with the other files that
 * have it. A file copied from another and not yet edited holds the other's values, which usually
 * carry the other's name (`chat-staging`, `chat.staging.example.com` in a `qa.yaml`): when exactly
 * one of the files is named in the value, that file is the value's owner and the others are the
 * ones to change. Otherwise every file is blamed, since nothing tells which should change.
 */
function clashes(sharing: readonly Required<ReadResult>[], value: string): { result: Required<ReadResult>; others: string[] }[] {
  if (sharing.length < 2) return [];
  const words = new Set(value.toLowerCase().split(/[^a-z0-9]+/));
  const owners = sharing.filter((r) => words.has(r.environment.name));
  const blamed = owners.length === 1 ? sharing.filter((r) => r !== owners[0]) : sharing;
  return blamed.map((result) => ({ result, others: sharing.filter((r) => r !== result).map((r) => r.environment.file) }));
}

/** `a`, `a and b`, `a, b and c`. */
function listOf(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `/components/backend/replicas` → `['components', 'backend', 'replicas']` (RFC 6901). */
function parsePointer(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** One problem per field: a value failing both `maxLength` and `pattern` is one mistake. */
function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => !seen.has(p.field) && seen.add(p.field));
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column,
  );
}

/** Appends without spreading: a file can hold more problems than a call takes arguments. */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

function relativePath(root: string, absolute: string): string {
  return path.relative(root, absolute).split(path.sep).join('/');
}

/** The candidate within a small edit distance of `word`, for did-you-mean hints. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  // min(2, max(1, floor(length / 3))), in plain arithmetic: this runs for every unknown key.
  const limit = word.length < 6 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  const lower = word.toLowerCase();
  for (const candidate of candidates) {
    // Lengths further apart than the limit cannot be within it; this keeps a long key cheap.
    if (candidate.length - word.length > limit || word.length - candidate.length > limit) continue;
    const distance = levenshtein(lower, candidate.toLowerCase(), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** The edit distance of `a` and `b`, or `limit + 1` as soon as it is known to exceed `limit`. */
function levenshtein(a: string, b: string, limit: number): number {
  // Plain arrays and comparisons, no globals: the loop runs for every unknown key of a file.
  let previous: number[] = [];
  let current: number[] = [];
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const deleted = previous[j]! + 1;
      const inserted = current[j - 1]! + 1;
      const replaced = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      const cell = deleted < inserted ? (deleted < replaced ? deleted : replaced) : inserted < replaced ? inserted : replaced;
      current[j] = cell;
      if (cell < rowMin) rowMin = cell;
    }
    // A row's minimum never decreases further down: the distance is past the limit already.
    if (rowMin > limit) return limit + 1;
    const done = previous;
    previous = current;
    current = done;
  }
  return previous[b.length]!;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
