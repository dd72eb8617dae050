/**
 * core/v1 and apimachinery validation of the Kubernetes 1.28 API server, ported function by function
 * (pkg/apis/core/validation/validation.go, apimachinery/pkg/api/validation/objectmeta.go,
 * apimachinery/pkg/apis/meta/v1/validation/validation.go).
 *
 * The API server validates objects after defaulting, so a field left out here is one the API
 * server would have defaulted to a valid value (a port's protocol to TCP, a probe's thresholds, a
 * Service's type): only fields that are present are checked against their allowed values, while
 * fields Go requires and never defaults (a container's image, an exec probe's command) are required.
 */
import { apiGroupOf, isClusterScoped } from '../../tree/cluster-scoped-kinds';
import { ipFamily, parseCidr } from '../../predicates/cidr';
import { POD_TEMPLATE_PATHS } from '../../tree/pod-templates';
import { ApiRule, podTemplateField } from './api-rule';
import { duplicate, FieldError, FieldPath, forbidden, GoValue, invalid, notFound, notSupported, required, tooLong } from './field-error';
import {
  byteLength,
  cannotUnmarshal,
  compareQuantities,
  formatQuantity,
  inclusiveRangeError,
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isEnvVarName,
  isLabelValue,
  isQualifiedName,
  isQuantity,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  IS_NEGATIVE_ERROR_MSG,
  parseQuantity,
  Quantity,
  quantityValue,
  regexError,
  stringMap,
  validateFinalizers,
  validateLabelName,
  validateLabels,
  validateLabelSelector,
  validateAnnotations,
  validateNonnegativeField,
  validateObjectMeta,
} from './meta';
import { isObject, isSet, listAt, Obj } from '../manifest-values';

const root = (name: string) => FieldPath.root(name);
const objOf = (v: unknown): Obj | undefined => (isObject(v) ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const messages = (path: FieldPath, value: unknown, msgs: string[]): FieldError[] => msgs.map((m) => invalid(path, value, m));
const sortedKeys = (o: Obj | undefined): string[] => (o ? Object.keys(o).sort() : []);

const IS_NOT_POSITIVE_ERROR_MSG = 'must be greater than zero';
const FILE_MODE_ERROR_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';
const INVALID_IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const MAX_INT32 = 2147483647;

/** `core.ValidateNameFunc` by kind: the name rule each kind's validation passes to ValidateObjectMeta. */
function nameFunctionOf(group: string, kind: string): (name: string) => string[] {
  if (group === '' && kind === 'Service') return isDns1035Label; // ValidateServiceName
  if (group === '' && kind === 'Namespace') return isDns1123Label; // ValidateNamespaceName
  // ValidateRBACName and the flowcontrol names are path segments (`system:controller:…`).
  if (group === 'rbac.authorization.k8s.io' || group === 'flowcontrol.apiserver.k8s.io') return isValidPathSegmentName;
  // NameIsDNSSubdomain: every other built-in kind, and every custom resource.
  return isDns1123Subdomain;
}

/** The groups whose validation calls core's ValidateObjectMeta, which adds the standard-finalizer check. */
function isBuiltInGroup(group: string): boolean {
  return group === '' || !group.includes('.') || group.endsWith('.k8s.io');
}

const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** validateKubeFinalizerName: a finalizer without a `/` must be one of the standard ones. */
function validateKubeFinalizerNames(finalizers: unknown, path: FieldPath): FieldError[] {
  return listAt(finalizers)
    .map((f, i) => ({ f, i }))
    .filter(({ f }) => typeof f === 'string' && !f.includes('/') && !STANDARD_FINALIZERS.has(f) && isQualifiedName(f).length === 0)
    .map(({ f, i }) => invalid(path.index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
}

// ---------------------------------------------------------------------------------------------
// ValidateObjectMeta
// ---------------------------------------------------------------------------------------------

const OBJECT_META: ApiRule = {
  id: 'API-OBJECT-META',
  mirrors: 'ValidateObjectMeta (apimachinery/pkg/api/validation/objectmeta.go, with core validateKubeFinalizerName)',
  checks:
    'every object: name valid for its kind (DNS-1123 subdomain; Service DNS-1035 label; Namespace DNS-1123 label; RBAC path segment), ' +
    'namespace a DNS-1123 label, labels, annotations (256 KiB), ownerReferences, finalizers',
  kinds: '*',
  validate(manifest) {
    const group = apiGroupOf(str(manifest.apiVersion));
    const kind = str(manifest.kind);
    const namespaced = !isClusterScoped(group, kind);
    const given: unknown = manifest.metadata;
    // The API server takes an absent namespace from the request (kubectl's or Argo CD's destination)
    // and clears the namespace of cluster-scoped objects before it validates, so neither is refused.
    let metadata = given;
    let requiresNamespace = namespaced;
    if (isObject(given)) {
      if (!namespaced && isSet(given.namespace)) metadata = { ...given, namespace: undefined };
      if (namespaced && (!isSet(given.namespace) || given.namespace === '')) requiresNamespace = false;
    }
    const errs = validateObjectMeta(metadata, requiresNamespace, nameFunctionOf(group, kind), root('metadata'));
    if (isBuiltInGroup(group) && isObject(given)) errs.push(...validateKubeFinalizerNames(given.finalizers, root('metadata').child('finalizers')));
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ValidatePodTemplateSpec
// ---------------------------------------------------------------------------------------------

const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** ValidatePodSpecificAnnotations: the pod-deletion-cost annotation an int32 (GetDeletionCostFromPodAnnotations). */
function validatePodSpecificAnnotations(annotations: unknown, path: FieldPath): FieldError[] {
  const value = objOf(annotations)?.[POD_DELETION_COST];
  if (value === undefined) return [];
  const text = str(value);
  const validFirst = text === '0' || /^-/.test(text) || /^[1-9]/.test(text);
  const n = Number(text);
  if (!validFirst || !/^-?[0-9]+$/.test(text) || n < -2147483648 || n > MAX_INT32) {
    return [invalid(path.key(POD_DELETION_COST), value, 'must be a 32bit integer')];
  }
  return [];
}

const POD_TEMPLATE_SPEC: ApiRule = {
  id: 'API-POD-TEMPLATE-SPEC',
  mirrors: 'ValidatePodTemplateSpec (pkg/apis/core/validation/validation.go)',
  checks: "a workload's pod template metadata: labels and annotations valid, pod-deletion-cost an int32, no ephemeral containers (its spec is API-POD-SPEC)",
  kinds: Object.keys(POD_TEMPLATE_PATHS).filter((k) => k !== 'Pod'),
  validate(manifest) {
    const t = podTemplateField(manifest);
    if (!t) return [];
    const meta = objOf(t.template.metadata) ?? {};
    // The template's ObjectMeta is embedded, so Go names its fields `spec.template.labels`.
    const errs = validateLabels(meta.labels, t.path.child('labels'));
    errs.push(...validateAnnotations(meta.annotations, t.path.child('annotations')));
    errs.push(...validatePodSpecificAnnotations(meta.annotations, t.path.child('annotations')));
    if (listAt(objOf(t.template.spec)?.ephemeralContainers).length > 0) {
      errs.push(forbidden(t.path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ValidatePodSpec and what it calls
// ---------------------------------------------------------------------------------------------

const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs', 'flocker',
  'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'configMap', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO', 'csi', 'ephemeral',
] as const;

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];

function validatePathNoBacksteps(target: string, path: FieldPath): FieldError[] {
  return target.split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

function validateLocalDescendingPath(target: string, path: FieldPath): FieldError[] {
  const errs = target.startsWith('/') ? [invalid(path, target, 'must be a relative path')] : [];
  return [...errs, ...validatePathNoBacksteps(target, path)];
}

function validateLocalNonReservedPath(target: string, path: FieldPath): FieldError[] {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../')) errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

function validateFileMode(mode: unknown, path: FieldPath): FieldError[] {
  return typeof mode === 'number' && (mode > 0o777 || mode < 0) ? [invalid(path, mode, FILE_MODE_ERROR_MSG)] : [];
}

/** validateKeyToPath. */
function validateKeyToPath(item: unknown, path: FieldPath): FieldError[] {
  const kp = objOf(item) ?? {};
  const errs: FieldError[] = [];
  if (!str(kp.key)) errs.push(required(path.child('key')));
  if (!str(kp.path)) errs.push(required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(str(kp.path), path.child('path')));
  errs.push(...validateFileMode(kp.mode, path.child('mode')));
  return errs;
}

/** The checks of validateVolumeSource for the sources this project can meet; others are only counted. */
function validateVolumeSourceOf(source: string, value: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  switch (source) {
    case 'emptyDir':
      if (isSet(value.sizeLimit)) {
        const q = parseQuantity(value.sizeLimit);
        if (!isQuantity(q)) errs.push(invalid(path.child('sizeLimit'), value.sizeLimit, q.error));
        else if (q.negative) errs.push(forbidden(path.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'hostPath':
      if (!str(value.path)) errs.push(required(path.child('path')));
      else errs.push(...validatePathNoBacksteps(str(value.path), path.child('path')));
      if (isSet(value.type) && !HOST_PATH_TYPES.includes(str(value.type))) errs.push(notSupported(path.child('type'), value.type, HOST_PATH_TYPES));
      break;
    case 'secret':
      if (!str(value.secretName)) errs.push(required(path.child('secretName')));
      errs.push(...validateFileMode(value.defaultMode, path.child('defaultMode')));
      listAt(value.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').index(i))));
      break;
    case 'configMap':
      if (!str(value.name)) errs.push(required(path.child('name')));
      else errs.push(...messages(path.child('name'), value.name, isDns1123Subdomain(str(value.name))));
      errs.push(...validateFileMode(value.defaultMode, path.child('defaultMode')));
      listAt(value.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').index(i))));
      break;
    case 'persistentVolumeClaim':
      if (!str(value.claimName)) errs.push(required(path.child('claimName')));
      break;
    case 'downwardAPI':
      errs.push(...validateFileMode(value.defaultMode, path.child('defaultMode')));
      break;
    case 'projected':
      errs.push(...validateFileMode(value.defaultMode, path.child('defaultMode')));
      listAt(value.sources).forEach((s, i) => {
        const src = objOf(s) ?? {};
        const srcPath = path.child('sources').index(i);
        let count = 0;
        for (const kind of ['secret', 'configMap'] as const) {
          const ref = objOf(src[kind]);
          if (!ref) continue;
          count++;
          if (!str(ref.name)) errs.push(required(srcPath.child(kind, 'name')));
          listAt(ref.items).forEach((kp, j) => errs.push(...validateKeyToPath(kp, srcPath.child(kind, 'items').index(j))));
        }
        if (objOf(src.downwardAPI)) count++;
        const token = objOf(src.serviceAccountToken);
        if (token) {
          count++;
          const at = srcPath.child('serviceAccountToken');
          const seconds = token.expirationSeconds;
          if (typeof seconds === 'number' && seconds < 600) errs.push(invalid(at.child('expirationSeconds'), seconds, 'may not specify a duration less than 10 minutes'));
          if (typeof seconds === 'number' && seconds > 2 ** 32) errs.push(invalid(at.child('expirationSeconds'), seconds, 'may not specify a duration larger than 2^32 seconds'));
          if (!str(token.path)) errs.push(required(path.child('path')));
          else errs.push(...validateLocalNonReservedPath(str(token.path), path.child('path')));
        }
        if (count > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type'));
      });
      break;
  }
  return errs;
}

/** ValidateVolumes / validateVolumeSource: names unique DNS-1123 labels, exactly one source each. Returns the valid volumes' names. */
function validateVolumes(volumes: unknown, path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  listAt(volumes).forEach((v, i) => {
    const vol = objOf(v) ?? {};
    const at = path.index(i);
    const el: FieldError[] = [];
    let count = 0;
    for (const source of VOLUME_SOURCES) {
      if (!isSet(vol[source])) continue;
      if (count > 0) {
        el.push(forbidden(at.child(source), 'may not specify more than 1 volume type'));
      } else {
        count++;
        el.push(...validateVolumeSourceOf(source, objOf(vol[source]) ?? {}, at.child(source)));
      }
    }
    if (count === 0) el.push(required(at, 'must specify a volume type'));
    const name = str(vol.name);
    if (!name) el.push(required(at.child('name')));
    else el.push(...messages(at.child('name'), name, isDns1123Label(name)));
    if (names.has(name)) el.push(duplicate(at.child('name'), name));
    if (el.length === 0) names.add(name);
    else errors.push(...el);
  });
  return { names, errors };
}

const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** validateContainerPorts. */
function validateContainerPorts(ports: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  listAt(ports).forEach((p, i) => {
    const port = objOf(p) ?? {};
    const at = path.index(i);
    const name = str(port.name);
    if (name) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) errs.push(...messages(at.child('name'), name, msgs));
      else if (names.has(name)) errs.push(duplicate(at.child('name'), name));
      else names.add(name);
    }
    if (!port.containerPort) errs.push(required(at.child('containerPort')));
    else errs.push(...messages(at.child('containerPort'), port.containerPort, isValidPortNum(Number(port.containerPort))));
    if (port.hostPort) errs.push(...messages(at.child('hostPort'), port.hostPort, isValidPortNum(Number(port.hostPort))));
    if (isSet(port.protocol) && !PORT_PROTOCOLS.includes(str(port.protocol))) errs.push(notSupported(at.child('protocol'), port.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.podIP', 'status.podIPs'];
const DOWNWARD_API_LABELS = new Set([
  'metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy',
  'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs',
]);
const CONTAINER_RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['app']` → [`metadata.labels`, `app`]. */
function splitSubscript(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return [s.slice(0, at), s.slice(at + 2)];
}

/** validateObjectFieldSelector (with ConvertDownwardAPIFieldLabel). */
function validateObjectFieldSelector(selector: Obj, path: FieldPath): FieldError[] {
  const apiVersion = isSet(selector.apiVersion) ? str(selector.apiVersion) : 'v1'; // defaulted
  if (!apiVersion) return [required(path.child('apiVersion'))];
  const fieldPath = str(selector.fieldPath);
  if (!fieldPath) return [required(path.child('fieldPath'))];
  const sub = splitSubscript(fieldPath);
  let conversion: string | undefined;
  if (apiVersion !== 'v1') conversion = `unsupported pod version: ${apiVersion}`;
  else if (sub && sub[0] !== 'metadata.annotations' && sub[0] !== 'metadata.labels') conversion = `field label does not support subscript: ${fieldPath}`;
  else if (!sub && !DOWNWARD_API_LABELS.has(fieldPath) && fieldPath !== 'spec.host') conversion = `field label not supported: ${fieldPath}`;
  if (conversion) return [invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: ${conversion}`)];
  if (sub) {
    const key = sub[0] === 'metadata.annotations' ? sub[1].toLowerCase() : sub[1];
    return messages(path, key, isQualifiedName(key));
  }
  const internal = fieldPath === 'spec.host' ? 'spec.nodeName' : fieldPath;
  return ENV_FIELD_PATHS.includes(internal) ? [] : [notSupported(path.child('fieldPath'), internal, ENV_FIELD_PATHS)];
}

/** validateConfigMapKeySelector / validateSecretKeySelector. */
function validateKeySelector(selector: Obj, path: FieldPath): FieldError[] {
  const errs = messages(path.child('name'), str(selector.name), isDns1123Subdomain(str(selector.name)));
  const key = str(selector.key);
  if (!key) errs.push(required(path.child('key')));
  else errs.push(...messages(path.child('key'), key, isConfigMapKey(key)));
  return errs;
}

/** ValidateEnv / validateEnvVarValueFrom. */
function validateEnv(env: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  listAt(env).forEach((e, i) => {
    const ev = objOf(e) ?? {};
    const at = path.index(i);
    const name = str(ev.name);
    if (!name) errs.push(required(at.child('name')));
    else errs.push(...messages(at.child('name'), name, isEnvVarName(name)));
    const from = objOf(ev.valueFrom);
    if (!from) return;
    const fromPath = at.child('valueFrom');
    let sources = 0;
    if (objOf(from.fieldRef)) {
      sources++;
      errs.push(...validateObjectFieldSelector(from.fieldRef, fromPath.child('fieldRef')));
    }
    if (objOf(from.resourceFieldRef)) {
      sources++;
      const resource = str(from.resourceFieldRef.resource);
      const at2 = fromPath.child('resourceFieldRef');
      if (!resource) errs.push(required(at2.child('resource')));
      else if (!CONTAINER_RESOURCE_FIELD_PATHS.includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource)) {
        errs.push(notSupported(at2.child('resource'), resource, CONTAINER_RESOURCE_FIELD_PATHS));
      }
    }
    if (objOf(from.configMapKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, fromPath.child('configMapKeyRef')));
    }
    if (objOf(from.secretKeyRef)) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, fromPath.child('secretKeyRef')));
    }
    if (sources === 0) errs.push(invalid(fromPath, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (str(ev.value) !== '') errs.push(invalid(fromPath, '', 'may not be specified when `value` is not empty'));
    else if (sources > 1) errs.push(invalid(fromPath, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** ValidateEnvFrom: prefix a valid name, exactly one of configMapRef and secretRef. */
function validateEnvFrom(envFrom: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  listAt(envFrom).forEach((e, i) => {
    const ev = objOf(e) ?? {};
    const at = path.index(i);
    if (str(ev.prefix)) errs.push(...messages(at.child('prefix'), ev.prefix, isEnvVarName(str(ev.prefix))));
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef'] as const) {
      const ref = objOf(ev[kind]);
      if (!ref) continue;
      sources++;
      const name = str(ref.name);
      if (!name) errs.push(required(at.child(kind, 'name')));
      else errs.push(...messages(at.child(kind, 'name'), name, isDns1123Subdomain(maskTrailingDash(name))));
    }
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** A name validated as a prefix (`prefix` true in a ValidateNameFunc): a trailing dash allowed. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

const MOUNT_PROPAGATIONS = ['Bidirectional', 'HostToContainer', 'None'];

/** ValidateVolumeMounts: name a (valid) volume of the pod, mountPath required and unique, subPath relative. */
function validateVolumeMounts(mounts: unknown, volumes: Set<string>, container: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  listAt(mounts).forEach((m, i) => {
    const mnt = objOf(m) ?? {};
    const at = path.index(i);
    const name = str(mnt.name);
    const mountPath = str(mnt.mountPath);
    if (!name) errs.push(required(at.child('name')));
    if (!volumes.has(name)) errs.push(notFound(at.child('name'), name));
    if (!mountPath) errs.push(required(at.child('mountPath')));
    if (mountPoints.has(mountPath)) errs.push(invalid(at.child('mountPath'), mountPath, 'must be unique'));
    mountPoints.add(mountPath);
    const subPath = str(mnt.subPath);
    const subPathExpr = str(mnt.subPathExpr);
    // Go names these two `volumeMounts.subPath`, without the index.
    if (subPath) errs.push(...validateLocalDescendingPath(subPath, path.child('subPath')));
    if (subPathExpr) {
      if (subPath) errs.push(invalid(at.child('subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, path.child('subPathExpr')));
    }
    if (isSet(mnt.mountPropagation)) {
      const mp = str(mnt.mountPropagation);
      if (!MOUNT_PROPAGATIONS.includes(mp)) errs.push(notSupported(path.child('mountPropagation'), mp, MOUNT_PROPAGATIONS));
      else if (mp === 'Bidirectional' && objOf(container.securityContext)?.privileged !== true) {
        errs.push(forbidden(path.child('mountPropagation'), 'Bidirectional mount propagation is available only to privileged containers'));
      }
    }
  });
  return errs;
}

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory',
  'limits.ephemeral-storage', 'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (name: string) => name.startsWith('hugepages-');
const isNativeResource = (name: string) => !name.includes('/') || name.includes('kubernetes.io/');
const isExtendedResource = (name: string) => !isNativeResource(name) && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
const isOvercommitAllowed = (name: string) => isNativeResource(name) && !isHugePages(name);

/** validateResourceName: a qualified name, and a standard resource when it has no prefix. */
function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = messages(path, name, isQualifiedName(name));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  return errs;
}

/** validateContainerResourceName. */
function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = validateResourceName(name, path);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** The quantities of a ResourceList, each parsed as the decoder would; decoding errors reported. */
function quantities(list: unknown, path: FieldPath, errs: FieldError[]): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  const o = objOf(list);
  for (const name of sortedKeys(o)) {
    const q = parseQuantity(o![name]);
    if (isQuantity(q)) out.set(name, q);
    else errs.push(invalid(path.key(name), o![name], q.error));
  }
  return out;
}

/** ValidateResourceQuantityValue: not negative, whole for integer resources. */
function validateResourceQuantityValue(name: string, q: Quantity, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (q.negative) errs.push(invalid(path, formatQuantity(q), IS_NEGATIVE_ERROR_MSG));
  if (isExtendedResource(name) && !Number.isInteger(quantityValue(q))) errs.push(invalid(path, new GoValue(formatQuantity(q)), 'must be an integer'));
  return errs;
}

/** ValidateResourceRequirements: names and quantities valid, each request at most its limit (equal for resources that cannot overcommit). */
function validateResourceRequirements(resources: unknown, path: FieldPath): FieldError[] {
  const res = objOf(resources) ?? {};
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = quantities(res.limits, limPath, errs);
  const requests = quantities(res.requests, reqPath, errs);
  let cpuOrMemory = false;
  let hugePages = false;
  for (const [name, q] of limits) {
    errs.push(...validateContainerResourceName(name, limPath.key(name)));
    errs.push(...validateResourceQuantityValue(name, q, limPath.key(name)));
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  for (const [name, q] of requests) {
    errs.push(...validateContainerResourceName(name, reqPath.key(name)));
    errs.push(...validateResourceQuantityValue(name, q, reqPath.key(name)));
    const limit = limits.get(name);
    if (limit) {
      const cmp = compareQuantities(q, limit);
      if (cmp !== 0 && !isOvercommitAllowed(name)) errs.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(limit)}`));
      else if (cmp > 0) errs.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`));
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePages(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') cpuOrMemory = true;
  }
  if (hugePages && !cpuOrMemory) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}

const SECCOMP_TYPES = ['Localhost', 'RuntimeDefault', 'Unconfined'];

/** validateSeccompProfileField. */
function validateSeccompProfile(profile: unknown, path: FieldPath): FieldError[] {
  const sp = objOf(profile);
  if (!sp) return [];
  const errs: FieldError[] = [];
  const type = str(sp.type);
  if (type === '') errs.push(required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!SECCOMP_TYPES.includes(type)) errs.push(notSupported(path.child('type'), type, SECCOMP_TYPES));
  if (type === 'Localhost') {
    if (!isSet(sp.localhostProfile)) errs.push(required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(str(sp.localhostProfile), path.child('localhostProfile')));
  } else if (isSet(sp.localhostProfile)) {
    errs.push(invalid(path.child('localhostProfile'), sp, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

/** validation.IsValidUserID / IsValidGroupID. */
function validateId(value: unknown, path: FieldPath): FieldError[] {
  if (!isSet(value)) return [];
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= MAX_INT32 ? [] : [invalid(path, value, inclusiveRangeError(0, MAX_INT32))];
}

/** ValidateSecurityContext (a container's). */
function validateSecurityContext(securityContext: unknown, path: FieldPath): FieldError[] {
  const sc = objOf(securityContext);
  if (!sc) return [];
  const errs = [...validateId(sc.runAsUser, path.child('runAsUser')), ...validateId(sc.runAsGroup, path.child('runAsGroup'))];
  if (isSet(sc.procMount) && !['Default', 'Unmasked'].includes(str(sc.procMount))) {
    errs.push(notSupported(path.child('procMount'), sc.procMount, ['Default', 'Unmasked']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    for (const cap of listAt(objOf(sc.capabilities)?.add)) {
      if (cap === 'CAP_SYS_ADMIN') errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN'));
    }
  }
  return errs;
}

/** validatePodSpecSecurityContext. */
function validatePodSecurityContext(securityContext: unknown, spec: Obj, path: FieldPath): FieldError[] {
  const sc = objOf(securityContext);
  if (!sc) return [];
  const errs = [
    ...validateId(sc.fsGroup, path.child('fsGroup')),
    ...validateId(sc.runAsUser, path.child('runAsUser')),
    ...validateId(sc.runAsGroup, path.child('runAsGroup')),
  ];
  listAt(sc.supplementalGroups).forEach((g, i) => errs.push(...validateId(g, path.child('supplementalGroups').index(i))));
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(invalid(path.child('shareProcessNamespace'), true, 'ShareProcessNamespace and HostPID cannot both be enabled'));
  }
  if (isSet(sc.fsGroupChangePolicy) && !['Always', 'OnRootMismatch'].includes(str(sc.fsGroupChangePolicy))) {
    errs.push(notSupported(path.child('fsGroupChangePolicy'), sc.fsGroupChangePolicy, ['Always', 'OnRootMismatch']));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  return errs;
}

/** ValidatePortNumOrName: an int 1–65535 or an IANA_SVC_NAME. */
function validatePortNumOrName(port: unknown, path: FieldPath): FieldError[] {
  if (typeof port === 'number') return messages(path, port, isValidPortNum(port));
  if (typeof port === 'string') return messages(path, port, isValidPortName(port));
  return messages(path, 0, isValidPortNum(0));
}

const HTTP_HEADER_NAME = /^[-A-Za-z0-9]+$/;

/** validateHandler: exactly one handler type, each valid. Probes take exec, httpGet, tcpSocket, grpc; lifecycle hooks exec, httpGet, tcpSocket (1.28). */
function validateHandler(handler: Obj, types: readonly string[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const type of types) {
    const h = handler[type];
    if (!isSet(h)) continue;
    const at = path.child(type);
    if (count > 0) {
      errs.push(forbidden(at, 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const action = objOf(h) ?? {};
    if (type === 'exec') {
      if (listAt(action.command).length === 0) errs.push(required(at.child('command')));
    } else if (type === 'httpGet') {
      errs.push(...validatePortNumOrName(action.port, at.child('port')));
      if (isSet(action.scheme) && !['HTTP', 'HTTPS'].includes(str(action.scheme))) errs.push(notSupported(at.child('scheme'), action.scheme, ['HTTP', 'HTTPS']));
      for (const header of listAt(action.httpHeaders)) {
        const name = str(objOf(header)?.name);
        if (!HTTP_HEADER_NAME.test(name)) {
          errs.push(invalid(at.child('httpHeaders'), name, regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')));
        }
      }
    } else if (type === 'tcpSocket') {
      errs.push(...validatePortNumOrName(action.port, at.child('port')));
    } else if (type === 'grpc') {
      errs.push(...validatePortNumOrName(typeof action.port === 'number' ? action.port : 0, at.child('port')));
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const PROBE_HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const LIFECYCLE_HANDLERS = ['exec', 'httpGet', 'tcpSocket'];

/** validateProbe with validateLivenessProbe / validateReadinessProbe / validateStartupProbe. */
function validateProbe(probe: unknown, kind: 'liveness' | 'readiness' | 'startup', path: FieldPath): FieldError[] {
  const p = objOf(probe);
  if (!p) return [];
  const errs = validateHandler(p, PROBE_HANDLERS, path);
  for (const field of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...validateNonnegativeField(p[field], path.child(field)));
  }
  const grace = p.terminationGracePeriodSeconds;
  if (typeof grace === 'number' && grace <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), grace, 'must be greater than 0'));
  // successThreshold 0 (or absent) is defaulted to 1.
  if (kind !== 'readiness' && p.successThreshold && p.successThreshold !== 1) errs.push(invalid(path.child('successThreshold'), p.successThreshold, 'must be 1'));
  if (kind === 'readiness' && isSet(grace)) errs.push(invalid(path.child('terminationGracePeriodSeconds'), grace, 'must not be set for readinessProbes'));
  return errs;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

/** validateContainerCommon: what regular and init containers share. */
function validateContainerCommon(container: Obj, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(container.name);
  if (!name) errs.push(required(path.child('name')));
  else errs.push(...messages(path.child('name'), name, isDns1123Label(name)));
  if (!str(container.image)) errs.push(required(path.child('image')));
  if (isSet(container.terminationMessagePolicy) && !TERMINATION_MESSAGE_POLICIES.includes(str(container.terminationMessagePolicy))) {
    errs.push(notSupported(path.child('terminationMessagePolicy'), container.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  errs.push(...validateContainerPorts(container.ports, path.child('ports')));
  errs.push(...validateEnv(container.env, path.child('env')));
  errs.push(...validateEnvFrom(container.envFrom, path.child('envFrom')));
  errs.push(...validateVolumeMounts(container.volumeMounts, volumes, container, path.child('volumeMounts')));
  if (isSet(container.imagePullPolicy) && !PULL_POLICIES.includes(str(container.imagePullPolicy))) {
    errs.push(notSupported(path.child('imagePullPolicy'), container.imagePullPolicy, PULL_POLICIES));
  }
  errs.push(...validateResourceRequirements(container.resources, path.child('resources')));
  errs.push(...validateSecurityContext(container.securityContext, path.child('securityContext')));
  return errs;
}

/** validateContainers and validateInitContainers (1.28, SidecarContainers off: init containers take no probes or lifecycle). */
function validateAllContainers(spec: Obj, volumes: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const containers = listAt(spec.containers);
  const containersPath = path.child('containers');
  if (containers.length === 0) errs.push(required(containersPath));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const container = objOf(c) ?? {};
    const at = containersPath.index(i);
    errs.push(...validateContainerCommon(container, volumes, at));
    const name = str(container.name);
    if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    else names.add(name);
    const lifecycle = objOf(container.lifecycle);
    if (lifecycle) {
      for (const hook of ['postStart', 'preStop']) {
        if (isSet(lifecycle[hook])) errs.push(...validateHandler(objOf(lifecycle[hook]) ?? {}, LIFECYCLE_HANDLERS, at.child('lifecycle', hook)));
      }
    }
    errs.push(...validateProbe(container.livenessProbe, 'liveness', at.child('livenessProbe')));
    errs.push(...validateProbe(container.readinessProbe, 'readiness', at.child('readinessProbe')));
    errs.push(...validateProbe(container.startupProbe, 'startup', at.child('startupProbe')));
  });
  errs.push(...checkHostPortConflicts(containers, containersPath));
  const initPath = path.child('initContainers');
  listAt(spec.initContainers).forEach((c, i) => {
    const container = objOf(c) ?? {};
    const at = initPath.index(i);
    errs.push(...validateContainerCommon(container, volumes, at));
    const name = str(container.name);
    if (names.has(name)) errs.push(duplicate(at.child('name'), name));
    else if (name) names.add(name);
    errs.push(...checkHostPortConflicts([container], initPath));
    for (const field of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (isSet(container[field])) errs.push(forbidden(at.child(field), 'may not be set for init containers without restartPolicy=Always'));
    }
  });
  return errs;
}

/** checkHostPortConflicts / AccumulateUniqueHostPorts. */
function checkHostPortConflicts(containers: any[], path: FieldPath): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    listAt(objOf(c)?.ports).forEach((p, pi) => {
      const port = objOf(p) ?? {};
      if (!port.hostPort) return;
      const key = `${str(port.protocol) || 'TCP'}/${str(port.hostIP)}/${port.hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** ValidateTolerations. */
function validateTolerations(tolerations: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  listAt(tolerations).forEach((t, i) => {
    const tol = objOf(t) ?? {};
    const at = path.index(i);
    const key = str(tol.key);
    const operator = str(tol.operator);
    const value = str(tol.value);
    const effect = str(tol.effect);
    if (key) errs.push(...validateLabelName(key, at.child('key')));
    if (!key && operator !== 'Exists') {
      errs.push(invalid(at.child('operator'), operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(tol.tolerationSeconds) && effect !== 'NoExecute') {
      errs.push(invalid(at.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(at.child('operator'), value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value) errs.push(invalid(at.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(at.child('operator'), operator, TOLERATION_OPERATORS));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(notSupported(at.child('effect'), effect, TAINT_EFFECTS));
  });
  return errs;
}

const WHEN_UNSATISFIABLE = ['DoNotSchedule', 'ScheduleAnyway'];
const NODE_INCLUSION_POLICIES = ['Honor', 'Ignore'];

/** validateTopologySpreadConstraints. */
function validateTopologySpreadConstraints(constraints: unknown, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const all = listAt(constraints).map((c) => objOf(c) ?? {});
  all.forEach((c, i) => {
    const at = path.index(i);
    const maxSkew = c.maxSkew ?? 0;
    if (!(typeof maxSkew === 'number' && maxSkew > 0)) errs.push(invalid(at.child('maxSkew'), maxSkew, IS_NOT_POSITIVE_ERROR_MSG));
    if (!str(c.topologyKey)) errs.push(required(at.child('topologyKey'), 'can not be empty'));
    const when = str(c.whenUnsatisfiable);
    if (!WHEN_UNSATISFIABLE.includes(when)) errs.push(notSupported(at.child('whenUnsatisfiable'), when, WHEN_UNSATISFIABLE));
    if (all.slice(i + 1).some((r) => str(r.topologyKey) === str(c.topologyKey) && str(r.whenUnsatisfiable) === when)) {
      errs.push(duplicate(at.child('{topologyKey, whenUnsatisfiable}'), `{${str(c.topologyKey)}, ${when}}`));
    }
    if (isSet(c.minDomains)) {
      if (!(typeof c.minDomains === 'number' && c.minDomains > 0)) errs.push(invalid(at.child('minDomains'), c.minDomains, IS_NOT_POSITIVE_ERROR_MSG));
      if (when !== 'DoNotSchedule') errs.push(invalid(at.child('minDomains'), c.minDomains, `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${when}`));
    }
    for (const policy of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
      if (isSet(c[policy]) && !NODE_INCLUSION_POLICIES.includes(str(c[policy]))) errs.push(notSupported(at.child(policy), c[policy], NODE_INCLUSION_POLICIES));
    }
    const matchLabelKeys = listAt(c.matchLabelKeys);
    if (matchLabelKeys.length > 0) {
      const selector = objOf(c.labelSelector);
      const selectorKeys = new Set<string>();
      if (selector) {
        for (const k of Object.keys(objOf(selector.matchLabels) ?? {})) selectorKeys.add(k);
        for (const e of listAt(selector.matchExpressions)) selectorKeys.add(str(objOf(e)?.key));
      } else {
        errs.push(forbidden(at.child('matchLabelKeys'), 'must not be specified when labelSelector is not set'));
      }
      matchLabelKeys.forEach((k, j) => {
        errs.push(...validateLabelName(str(k), at.child('matchLabelKeys').index(j)));
        if (selectorKeys.has(str(k))) errs.push(invalid(at.child('matchLabelKeys').index(j), k, 'exists in both matchLabelKeys and labelSelector'));
      });
    }
    errs.push(...validateLabelSelector(c.labelSelector, at.child('labelSelector')));
  });
  return errs;
}

/** ValidateNodeSelectorRequirement. */
function validateNodeSelectorRequirement(requirement: unknown, path: FieldPath): FieldError[] {
  const rq = objOf(requirement) ?? {};
  const values = listAt(rq.values);
  const errs: FieldError[] = [];
  switch (rq.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(path.child('operator'), str(rq.operator), 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(str(rq.key), path.child('key')));
  return errs;
}

function validateNodeSelectorTerm(term: unknown, path: FieldPath): FieldError[] {
  const t = objOf(term) ?? {};
  const errs: FieldError[] = [];
  listAt(t.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(r, path.child('matchExpressions').index(j))));
  listAt(t.matchFields).forEach((r, j) => {
    const at = path.child('matchFields').index(j);
    const rq = objOf(r) ?? {};
    if (str(rq.key) !== 'metadata.name') errs.push(invalid(at.child('key'), str(rq.key), 'not a valid field selector key'));
    if (!['In', 'NotIn'].includes(str(rq.operator))) errs.push(invalid(at.child('operator'), str(rq.operator), 'not a valid selector operator'));
    if (listAt(rq.values).length !== 1) errs.push(required(at.child('values'), 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
  });
  return errs;
}

/** validatePodAffinityTerm. */
function validatePodAffinityTerm(term: unknown, path: FieldPath): FieldError[] {
  const t = objOf(term) ?? {};
  const errs = [...validateLabelSelector(t.labelSelector, path.child('labelSelector')), ...validateLabelSelector(t.namespaceSelector, path.child('namespaceSelector'))];
  for (const ns of listAt(t.namespaces)) errs.push(...messages(path.child('namespace'), ns, isDns1123Label(str(ns))));
  const topologyKey = str(t.topologyKey);
  if (!topologyKey) errs.push(required(path.child('topologyKey'), 'can not be empty'));
  errs.push(...validateLabelName(topologyKey, path.child('topologyKey')));
  return errs;
}

function validateWeight(weight: unknown, path: FieldPath): FieldError[] {
  return typeof weight === 'number' && weight > 0 && weight <= 100 ? [] : [invalid(path, weight ?? 0, 'must be in the range 1-100')];
}

/** validateAffinity: node affinity selector terms, pod (anti-)affinity terms. */
function validateAffinity(affinity: unknown, path: FieldPath): FieldError[] {
  const a = objOf(affinity);
  if (!a) return [];
  const errs: FieldError[] = [];
  const node = objOf(a.nodeAffinity);
  if (node) {
    const at = path.child('nodeAffinity');
    const requiredTerms = objOf(node.requiredDuringSchedulingIgnoredDuringExecution);
    if (requiredTerms) {
      const reqPath = at.child('requiredDuringSchedulingIgnoredDuringExecution');
      const terms = listAt(requiredTerms.nodeSelectorTerms);
      if (terms.length === 0) errs.push(required(reqPath.child('nodeSelectorTerms'), 'must have at least one node selector term'));
      terms.forEach((term, i) => errs.push(...validateNodeSelectorTerm(term, reqPath.index(i))));
    }
    listAt(node.preferredDuringSchedulingIgnoredDuringExecution).forEach((p, i) => {
      const pref = objOf(p) ?? {};
      const prefPath = at.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(pref.weight, prefPath.child('weight')));
      errs.push(...validateNodeSelectorTerm(pref.preference, prefPath.child('preference')));
    });
  }
  for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
    const pa = objOf(a[kind]);
    if (!pa) continue;
    const at = path.child(kind);
    listAt(pa.requiredDuringSchedulingIgnoredDuringExecution).forEach((t, i) =>
      errs.push(...validatePodAffinityTerm(t, at.child('requiredDuringSchedulingIgnoredDuringExecution').index(i))),
    );
    listAt(pa.preferredDuringSchedulingIgnoredDuringExecution).forEach((w, i) => {
      const wt = objOf(w) ?? {};
      const wPath = at.child('preferredDuringSchedulingIgnoredDuringExecution').index(i);
      errs.push(...validateWeight(wt.weight, wPath.child('weight')));
      errs.push(...validatePodAffinityTerm(wt.podAffinityTerm, wPath.child('podAffinityTerm')));
    });
  }
  return errs;
}

const isValidIp = (value: string) => ipFamily(value) !== 0;

/** validatePodDNSConfig. */
function validatePodDnsConfig(dnsConfig: unknown, dnsPolicy: string, path: FieldPath): FieldError[] {
  const config = objOf(dnsConfig);
  if (dnsPolicy === 'None') {
    if (!config) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (listAt(config.nameservers).length === 0) return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (!config) return [];
  const errs: FieldError[] = [];
  const nameservers = listAt(config.nameservers);
  if (nameservers.length > 3) errs.push(invalid(path.child('nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    if (!isValidIp(str(ns))) errs.push(invalid(path.child('nameservers').index(i), ns, INVALID_IP_MSG));
  });
  const searches = listAt(config.searches).map(str);
  if (searches.length > 32) errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(path.child('searches'), searches, 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const search = s.endsWith('.') ? s.slice(0, -1) : s;
    errs.push(...messages(path.child('searches').index(i), search, isDns1123Subdomain(search)));
  });
  listAt(config.options).forEach((o, i) => {
    if (!str(objOf(o)?.name)) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** ValidatePodSpec. */
export function validatePodSpec(podSpec: unknown, path: FieldPath, resourceIsPod: boolean, claimVolumes: readonly string[] = []): FieldError[] {
  const spec = objOf(podSpec) ?? {};
  const { names: volumes, errors: errs } = validateVolumes(spec.volumes, path.child('volumes'));
  for (const name of claimVolumes) volumes.add(name);
  errs.push(...validateAllContainers(spec, volumes, path));
  if (spec.hostNetwork === true) {
    listAt(spec.containers).forEach((c, i) => {
      listAt(objOf(c)?.ports).forEach((p, j) => {
        const port = objOf(p) ?? {};
        const hp = port.hostPort ?? 0;
        if ((resourceIsPod || hp !== 0) && hp !== port.containerPort) {
          errs.push(invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
        }
      });
    });
  }
  if (isSet(spec.restartPolicy) && !RESTART_POLICIES.includes(str(spec.restartPolicy))) errs.push(notSupported(path.child('restartPolicy'), spec.restartPolicy, RESTART_POLICIES));
  if (isSet(spec.dnsPolicy) && !DNS_POLICIES.includes(str(spec.dnsPolicy))) errs.push(notSupported(path.child('dnsPolicy'), spec.dnsPolicy, DNS_POLICIES));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, spec, path.child('securityContext')));
  listAt(spec.imagePullSecrets).forEach((s, i) => {
    const ref = objOf(s) ?? {};
    if (Object.keys(ref).some((k) => k !== 'name')) errs.push(invalid(path.child('imagePullSecrets').index(i), ref, 'only name may be set'));
  });
  errs.push(...validateAffinity(spec.affinity, path.child('affinity')));
  errs.push(...validatePodDnsConfig(spec.dnsConfig, str(spec.dnsPolicy), path.child('dnsConfig')));
  listAt(spec.readinessGates).forEach((g, i) => {
    const at = path.child('readinessGates').index(i).child('conditionType');
    const type = str(objOf(g)?.conditionType);
    errs.push(...messages(at, type, isQualifiedName(type)));
  });
  const gates = new Set<string>();
  listAt(spec.schedulingGates).forEach((g, i) => {
    const name = str(objOf(g)?.name);
    errs.push(...messages(path.child('schedulingGates').index(i), name, isQualifiedName(name)));
    if (gates.has(name)) errs.push(duplicate(path.child('schedulingGates').index(i), name));
    gates.add(name);
  });
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, path.child('topologySpreadConstraints')));
  for (const [field, fn] of [
    ['serviceAccountName', isDns1123Subdomain],
    ['nodeName', isDns1123Subdomain],
    ['hostname', isDns1123Label],
    ['subdomain', isDns1123Label],
    ['priorityClassName', isDns1123Subdomain],
    ['runtimeClassName', isDns1123Subdomain],
  ] as const) {
    const value = str(spec[field]);
    if (value || (field === 'runtimeClassName' && isSet(spec[field]))) errs.push(...messages(path.child(field), value, fn(value)));
  }
  if (isSet(spec.activeDeadlineSeconds)) {
    const v = spec.activeDeadlineSeconds;
    if (!(typeof v === 'number' && v >= 1 && v <= MAX_INT32)) errs.push(invalid(path.child('activeDeadlineSeconds'), v, inclusiveRangeError(1, MAX_INT32)));
  }
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  listAt(spec.hostAliases).forEach((h, i) => {
    const alias = objOf(h) ?? {};
    const at = path.child('hostAliases').index(i);
    if (!isValidIp(str(alias.ip))) errs.push(invalid(at.child('ip'), str(alias.ip), INVALID_IP_MSG));
    listAt(alias.hostnames).forEach((n, j) => errs.push(...messages(at.child('hostnames').index(j), n, isDns1123Subdomain(str(n)))));
  });
  if (isSet(spec.preemptionPolicy) && !PREEMPTION_POLICIES.includes(str(spec.preemptionPolicy))) {
    errs.push(notSupported(path.child('preemptionPolicy'), spec.preemptionPolicy, PREEMPTION_POLICIES));
  }
  const os = objOf(spec.os);
  if (os) {
    if (!str(os.name)) errs.push(required(path.child('os', 'name'), 'cannot be empty'));
    else if (!['linux', 'windows'].includes(str(os.name))) errs.push(notSupported(path.child('os'), os.name, ['linux', 'windows']));
  }
  return errs;
}

const POD_SPEC: ApiRule = {
  id: 'API-POD-SPEC',
  mirrors: 'ValidatePodSpec (pkg/apis/core/validation/validation.go) and the functions it calls',
  checks:
    'the pod spec of every workload kind: volumes (unique names, one source), containers (unique DNS-1123 names, image, ports, env, envFrom, ' +
    'volumeMounts, probes with one handler, resources with requests at most limits, securityContext), restartPolicy, dnsPolicy, ' +
    'securityContext, affinity, tolerations, topologySpreadConstraints, names of service account and priority class ' +
    "(a StatefulSet's as its controller's Pods, with a volume per claim template)",
  kinds: Object.keys(POD_TEMPLATE_PATHS),
  validate(manifest) {
    const t = podTemplateField(manifest);
    if (!t) return [];
    // ValidateStatefulSetSpec leaves the pod spec to the Pods its controller creates (a TODO in Go),
    // each with a volume per claim template; they are checked here as those Pods would be.
    const claims = manifest.kind === 'StatefulSet' ? listAt(manifest.spec?.volumeClaimTemplates).map((c) => str(objOf(c)?.metadata?.name)) : [];
    return validatePodSpec(t.template.spec, t.path.child('spec'), manifest.kind === 'Pod', claims);
  },
};

// ---------------------------------------------------------------------------------------------
// ValidateService
// ---------------------------------------------------------------------------------------------

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const SESSION_AFFINITIES = ['ClientIP', 'None'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const KUBELET_PORT = 10250;

/** Go's `%#v` of the core.ServicePort key ValidateService reports a duplicate port with. */
function servicePortKey(protocol: string, port: unknown): GoValue {
  return new GoValue(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${Number(port) || 0}, ` +
      'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  );
}

/** validateServicePort. */
function validateServicePort(port: Obj, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(port.name);
  if (requireName && !name) errs.push(required(path.child('name')));
  else if (name) {
    errs.push(...messages(path.child('name'), name, isDns1123Label(name)));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  errs.push(...messages(path.child('port'), port.port ?? 0, isValidPortNum(Number(port.port ?? 0))));
  if (isSet(port.protocol) && !PORT_PROTOCOLS.includes(str(port.protocol))) errs.push(notSupported(path.child('protocol'), port.protocol, PORT_PROTOCOLS));
  // An absent (or zero) targetPort is defaulted to the port.
  if (isSet(port.targetPort) && port.targetPort !== 0) errs.push(...validatePortNumOrName(port.targetPort, path.child('targetPort')));
  if (isSet(port.appProtocol)) errs.push(...messages(path.child('appProtocol'), port.appProtocol, isQualifiedName(str(port.appProtocol))));
  return errs;
}

const SERVICE: ApiRule = {
  id: 'API-SERVICE',
  mirrors: 'ValidateService (pkg/apis/core/validation/validation.go)',
  checks:
    'ports (required unless headless, named and uniquely named when several, port 1–65535, targetPort a number or IANA name, protocol, unique), ' +
    'selector labels, type and sessionAffinity values, clusterIP None only where allowed, externalName, traffic policies',
  kinds: ['Service'],
  validate(manifest) {
    const spec = objOf(manifest.spec) ?? {};
    const specPath = root('spec');
    const errs: FieldError[] = [];
    const type = isSet(spec.type) ? str(spec.type) : 'ClusterIP';
    // The strategy syncs clusterIP and clusterIPs before validation.
    let clusterIPs = listAt(spec.clusterIPs).map(str);
    const clusterIP = isSet(spec.clusterIP) ? str(spec.clusterIP) : (clusterIPs[0] ?? '');
    if (clusterIPs.length === 0 && clusterIP) clusterIPs = [clusterIP];
    const headless = clusterIPs[0] === 'None';
    const ports = listAt(spec.ports).map((p) => objOf(p) ?? {});
    const portsPath = specPath.child('ports');

    if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(required(portsPath));
    if (type === 'LoadBalancer') {
      ports.forEach((p, i) => {
        if (p.port === KUBELET_PORT) errs.push(invalid(portsPath.index(i), p.port, `may not expose port ${KUBELET_PORT} externally since it is used by kubelet`));
      });
      if (headless) errs.push(invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for LoadBalancer services"));
    } else if (type === 'NodePort') {
      if (headless) errs.push(invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for NodePort services"));
    } else if (type === 'ExternalName') {
      if (clusterIPs.length > 0) errs.push(forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      if (listAt(spec.ipFamilies).length > 0) errs.push(forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      if (isSet(spec.ipFamilyPolicy)) errs.push(forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      const cname = str(spec.externalName).replace(/\.$/, '');
      if (cname) errs.push(...messages(specPath.child('externalName'), cname, isDns1123Subdomain(cname)));
      else errs.push(required(specPath.child('externalName')));
    }

    const names = new Set<string>();
    ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, portsPath.index(i))));
    if (isSet(spec.selector)) errs.push(...validateLabels(spec.selector, specPath.child('selector')));

    const affinity = isSet(spec.sessionAffinity) ? str(spec.sessionAffinity) : 'None';
    if (!SESSION_AFFINITIES.includes(affinity)) errs.push(notSupported(specPath.child('sessionAffinity'), affinity, SESSION_AFFINITIES));
    if (affinity === 'None' && isSet(spec.sessionAffinityConfig)) {
      errs.push(forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
    }
    if (affinity === 'ClientIP') {
      const timeout = objOf(objOf(spec.sessionAffinityConfig)?.clientIP)?.timeoutSeconds;
      if (isSet(timeout) && !(typeof timeout === 'number' && timeout > 0 && timeout <= 86400)) {
        errs.push(invalid(specPath.child('sessionAffinityConfig', 'clientIP', 'timeoutSeconds'), timeout, 'must be greater than 0 and less than 86400'));
      }
    }

    if (type !== 'ExternalName') {
      const ipsPath = specPath.child('clusterIPs');
      if (isSet(spec.clusterIP) && isSet(spec.clusterIPs) && listAt(spec.clusterIPs).length > 0 && str(spec.clusterIPs[0]) !== str(spec.clusterIP)) {
        errs.push(invalid(ipsPath, spec.clusterIPs, 'first value must match `clusterIP`'));
      }
      const seen = new Set<string>();
      listAt(spec.ipFamilies).forEach((f, i) => {
        if (!IP_FAMILIES.includes(str(f))) errs.push(notSupported(specPath.child('ipFamilies').index(i), f, IP_FAMILIES));
        if (seen.has(str(f))) errs.push(duplicate(specPath.child('ipFamilies').index(i), f));
        seen.add(str(f));
      });
      if (isSet(spec.ipFamilyPolicy) && !IP_FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
        errs.push(notSupported(specPath.child('ipFamilyPolicy'), spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
      }
      clusterIPs.forEach((ip, i) => {
        if (i === 0 && ip === 'None') {
          if (clusterIPs.length > 1) errs.push(invalid(ipsPath, clusterIPs, "'None' must be the first and only value"));
          return;
        }
        if (ip && !isValidIp(ip)) errs.push(invalid(ipsPath.index(i), ip, INVALID_IP_MSG));
      });
    }

    listAt(spec.externalIPs).forEach((ip, i) => {
      if (!isValidIp(str(ip))) errs.push(invalid(specPath.child('externalIPs').index(i), ip, INVALID_IP_MSG));
    });
    if (!SERVICE_TYPES.includes(type)) errs.push(notSupported(specPath.child('type'), type, SERVICE_TYPES));
    if (type === 'ClusterIP') {
      ports.forEach((p, i) => {
        if (p.nodePort) errs.push(forbidden(portsPath.index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
      });
    }
    const nodePorts = new Set<string>();
    const portKeys = new Set<string>();
    ports.forEach((p, i) => {
      const protocol = str(p.protocol) || 'TCP';
      if (p.nodePort) {
        const key = `${protocol}/${p.nodePort}`;
        if (nodePorts.has(key)) errs.push(duplicate(portsPath.index(i).child('nodePort'), p.nodePort));
        nodePorts.add(key);
      }
      const key = `${protocol}/${p.port}`;
      if (portKeys.has(key)) errs.push(duplicate(portsPath.index(i), servicePortKey(protocol, p.port)));
      portKeys.add(key);
    });

    const sourceRanges = listAt(spec.loadBalancerSourceRanges);
    if (sourceRanges.length > 0) {
      const at = specPath.child('LoadBalancerSourceRanges');
      if (type !== 'LoadBalancer') errs.push(forbidden(at, "may only be used when `type` is 'LoadBalancer'"));
      sourceRanges.forEach((r, i) => {
        if (!parseCidr(str(r).trim())) errs.push(invalid(at.index(i), str(r).trim(), 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      });
    }
    if (isSet(spec.allocateLoadBalancerNodePorts) && type !== 'LoadBalancer') {
      errs.push(forbidden(specPath.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
    }
    const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && listAt(spec.externalIPs).length > 0);
    if (isSet(spec.externalTrafficPolicy)) {
      if (!externallyAccessible) {
        errs.push(invalid(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
      } else if (!TRAFFIC_POLICIES.includes(str(spec.externalTrafficPolicy))) {
        errs.push(notSupported(specPath.child('externalTrafficPolicy'), spec.externalTrafficPolicy, TRAFFIC_POLICIES));
      }
    }
    const needsHealthCheck = type === 'LoadBalancer' && str(spec.externalTrafficPolicy) === 'Local';
    if (!needsHealthCheck && spec.healthCheckNodePort) {
      errs.push(invalid(specPath.child('healthCheckNodePort'), spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
    if (isSet(spec.internalTrafficPolicy) && !TRAFFIC_POLICIES.includes(str(spec.internalTrafficPolicy))) {
      errs.push(notSupported(specPath.child('internalTrafficPolicy'), spec.internalTrafficPolicy, TRAFFIC_POLICIES));
    }
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ValidateConfigMap
// ---------------------------------------------------------------------------------------------

/** core.MaxSecretSize: the most a ConfigMap's (or Secret's) data may hold. */
const MAX_CONFIG_MAP_SIZE = 1024 * 1024;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const CONFIG_MAP: ApiRule = {
  id: 'API-CONFIG-MAP',
  mirrors: 'ValidateConfigMap (pkg/apis/core/validation/validation.go)',
  checks: 'data and binaryData keys valid config keys and not in both, data values strings (a YAML `yes` that became a boolean is refused), total size at most 1 MiB',
  kinds: ['ConfigMap'],
  validate(manifest) {
    const data = stringMap(manifest.data, root('data'));
    const errs = [...data.errors];
    const binary = objOf(manifest.binaryData) ?? {};
    let total = 0;
    for (const [key, value] of data.entries) {
      errs.push(...messages(root('data').key(key), key, isConfigMapKey(key)));
      if (key in binary) errs.push(invalid(root('data').key(key), key, 'duplicate of key present in binaryData'));
      total += byteLength(value);
    }
    if (isSet(manifest.binaryData) && !isObject(manifest.binaryData)) errs.push(cannotUnmarshal(root('binaryData'), manifest.binaryData, 'map[string][]uint8'));
    for (const key of sortedKeys(binary)) {
      errs.push(...messages(root('binaryData').key(key), key, isConfigMapKey(key)));
      const value = binary[key];
      if (typeof value !== 'string' || !BASE64.test(value)) {
        errs.push(invalid(root('binaryData').key(key), value, typeof value === 'string' ? 'illegal base64 data' : `json: cannot unmarshal ${typeof value} into Go value of type []uint8`));
      } else {
        total += Buffer.from(value, 'base64').length;
      }
    }
    // Go passes the path "" for an error about the whole object.
    if (total > MAX_CONFIG_MAP_SIZE) errs.push(tooLong(root(''), MAX_CONFIG_MAP_SIZE));
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ValidateLimitRange
// ---------------------------------------------------------------------------------------------

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

const LIMIT_RANGE: ApiRule = {
  id: 'API-LIMIT-RANGE',
  mirrors: 'ValidateLimitRange (pkg/apis/core/validation/validation.go)',
  checks: 'each limit: a known, unique type, valid resource names, and min ≤ defaultRequest ≤ default ≤ max, maxLimitRequestRatio at least 1 and at most max/min',
  kinds: ['LimitRange'],
  validate(manifest) {
    const errs: FieldError[] = [];
    const limitsPath = root('spec').child('limits');
    const types = new Set<string>();
    listAt(objOf(manifest.spec)?.limits).forEach((l, i) => {
      const limit = objOf(l) ?? {};
      const at = limitsPath.index(i);
      const type = str(limit.type);
      errs.push(...messages(at.child('type'), type, isQualifiedName(type)));
      if (!type.includes('/') && !LIMIT_TYPES.has(type)) errs.push(invalid(at.child('type'), type, 'must be a standard limit type or fully qualified'));
      if (types.has(type)) errs.push(duplicate(at.child('type'), type));
      types.add(type);

      const nameCheck = (name: string, path: FieldPath) =>
        type === 'Pod' || type === 'Container' ? validateContainerResourceName(name, path) : validateResourceName(name, path);
      const read = (field: string): Map<string, Quantity> => {
        const list = quantities(limit[field], at.child(field), errs);
        for (const name of list.keys()) errs.push(...nameCheck(name, at.child(field).key(name)));
        return list;
      };
      const max = read('max');
      const min = read('min');
      let defaults = new Map<string, Quantity>();
      let defaultRequests = new Map<string, Quantity>();
      if (type === 'Pod') {
        if (Object.keys(objOf(limit.default) ?? {}).length > 0) errs.push(forbidden(at.child('default'), "may not be specified when `type` is 'Pod'"));
        if (Object.keys(objOf(limit.defaultRequest) ?? {}).length > 0) errs.push(forbidden(at.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
      } else {
        defaults = read('default');
        defaultRequests = read('defaultRequest');
      }
      if (type === 'PersistentVolumeClaim' && !min.has('storage') && !max.has('storage')) {
        errs.push(required(at.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
      }
      const ratios = read('maxLimitRequestRatio');
      const keys = [...new Set([...max.keys(), ...min.keys(), ...defaults.keys(), ...defaultRequests.keys(), ...ratios.keys()])].sort();
      const q = (v: Quantity) => new GoValue(formatQuantity(v));
      const s = formatQuantity;
      for (const k of keys) {
        const mn = min.get(k);
        const mx = max.get(k);
        const df = defaults.get(k);
        const dr = defaultRequests.get(k);
        const ratio = ratios.get(k);
        const gt = (a: Quantity | undefined, b: Quantity | undefined): boolean => a !== undefined && b !== undefined && compareQuantities(a, b) > 0;
        if (gt(mn, mx)) errs.push(invalid(at.child('min').key(k), q(mn!), `min value ${s(mn!)} is greater than max value ${s(mx!)}`));
        if (gt(mn, dr)) errs.push(invalid(at.child('defaultRequest').key(k), q(dr!), `min value ${s(mn!)} is greater than default request value ${s(dr!)}`));
        if (gt(dr, mx)) errs.push(invalid(at.child('defaultRequest').key(k), q(dr!), `default request value ${s(dr!)} is greater than max value ${s(mx!)}`));
        if (gt(dr, df)) errs.push(invalid(at.child('defaultRequest').key(k), q(dr!), `default request value ${s(dr!)} is greater than default limit value ${s(df!)}`));
        if (gt(mn, df)) errs.push(invalid(at.child('default').key(k), q(mn!), `min value ${s(mn!)} is greater than default value ${s(df!)}`));
        if (gt(df, mx)) errs.push(invalid(at.child('default').key(k), q(mx!), `default value ${s(df!)} is greater than max value ${s(mx!)}`));
        if (ratio && quantityValue(ratio) < 1) errs.push(invalid(at.child('maxLimitRequestRatio').key(k), q(ratio), `ratio ${s(ratio)} is less than 1`));
        if (ratio && mn && mx) {
          const limitRatio = quantityValue(mx) / quantityValue(mn);
          if (quantityValue(ratio) > limitRatio) {
            errs.push(invalid(at.child('maxLimitRequestRatio').key(k), q(ratio), `ratio ${s(ratio)} is greater than max/min = ${limitRatio.toFixed(6)}`));
          }
        }
        if (!isOvercommitAllowed(k) && df && dr && compareQuantities(df, dr) !== 0) {
          errs.push(invalid(at.child('defaultRequest').key(k), q(dr), `default value ${s(df)} must equal to defaultRequest value ${s(dr)} in ${k}`));
        }
      }
    });
    return errs;
  },
};

// ---------------------------------------------------------------------------------------------
// ValidateNamespace
// ---------------------------------------------------------------------------------------------

const NAMESPACE: ApiRule = {
  id: 'API-NAMESPACE',
  mirrors: 'ValidateNamespace (pkg/apis/core/validation/validation.go)',
  checks: "spec.finalizers: qualified names, and standard ones when unprefixed (the name itself, a DNS-1123 label, is API-OBJECT-META's)",
  kinds: ['Namespace'],
  validate(manifest) {
    const finalizers = objOf(manifest.spec)?.finalizers;
    const path = root('spec').child('finalizers');
    const errs: FieldError[] = [];
    listAt(finalizers).forEach((f) => {
      const name = str(f);
      errs.push(...validateFinalizers([name], path).filter((e) => e.type === 'Invalid value'));
      if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) errs.push(invalid(path, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    });
    return errs;
  },
};

/**
 * core/v1 and apimachinery: object metadata, pod templates and specs, Services, ConfigMaps,
 * LimitRanges, Namespaces. ValidateServiceAccount is ObjectMeta only (ValidateServiceAccountName, a
 * DNS-1123 subdomain), which API-OBJECT-META covers for every kind.
 */
export const CORE_API_RULES: readonly ApiRule[] = [OBJECT_META, POD_TEMPLATE_SPEC, POD_SPEC, SERVICE, CONFIG_MAP, LIMIT_RANGE, NAMESPACE];
