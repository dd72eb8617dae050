import { cidrContains, cidrNetwork, parseCidr } from '../../predicates/cidr';
import { labelSelectorAsSelector, matches, Selector, selectsEverything } from '../label-selector';
import { ApiRule } from './api-rule';
import { FieldError, FieldPath, forbidden, invalid, notSupported, required } from './field-error';
import {
  cannotUnmarshal,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  longerThanBytes,
  maxLenError,
  regexError,
  validateLabelSelector,
  validateNonnegativeField,
} from './meta';
import { isObject, isSet, listAt, Obj, objectAt } from '../manifest-values';

/*
 * The kind-specific spec validation of apps, batch, autoscaling, policy, networking and
 * scheduling, as the Kubernetes 1.28 API server runs it. Object metadata and pod specs are the
 * core rules' business; these rules cover what each kind's own Validate<Kind>Spec adds.
 *
 * The API server validates an object after defaulting it, so each rule first applies the
 * defaults of the object's served version (apps/v1, batch/v1, autoscaling/v2, …) that its checks
 * depend on: a Deployment without `strategy` is a RollingUpdate with 25% surge and unavailability,
 * a Job's template without `restartPolicy` has `Always`, and so on. Fields behind feature gates
 * that are off by default in 1.28 are dropped by the API server before validation, so they are not
 * checked here either (StatefulSet `rollingUpdate.maxUnavailable`, Job `backoffLimitPerIndex`,
 * `maxFailedIndexes`, `podReplacementPolicy`).
 */

const spec = (manifest: Obj): Obj => objectAt(manifest.spec);
const SPEC = FieldPath.root('spec');

const SELECTOR_MISMATCH = '`selector` does not match template `labels`';

// ---- int-or-percent fields (apps/validation: ValidatePositiveIntOrPercent, IsNotMoreThan100Percent) ----

const PERCENT = /^[0-9]+%$/;
const PERCENT_ERROR = regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%');

function validatePositiveIntOrPercent(value: unknown, path: FieldPath): FieldError[] {
  if (typeof value === 'string') return PERCENT.test(value) ? [] : [invalid(path, value, PERCENT_ERROR)];
  if (typeof value === 'number') return validateNonnegativeField(value, path);
  return [cannotUnmarshal(path, value, 'int32')];
}

/** getIntOrPercentValue: a percent's number, else the integer (a string that is neither counts as Atoi's value or 0). */
function intOrPercentValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return 0;
  if (PERCENT.test(value)) return Number(value.slice(0, -1));
  return /^[+-]?[0-9]+$/.test(value) ? Number(value) : 0;
}

function isNotMoreThan100Percent(value: unknown, path: FieldPath): FieldError[] {
  return typeof value === 'string' && PERCENT.test(value) && Number(value.slice(0, -1)) > 100 ? [invalid(path, value, 'must not be greater than 100%')] : [];
}

// ---- pod templates of controllers ----

/** PodSpec defaulting leaves no template without a restart policy. */
const restartPolicyOf = (template: Obj): unknown => objectAt(template.spec).restartPolicy ?? 'Always';
const templateLabelsOf = (template: Obj): Obj => objectAt(objectAt(template.metadata).labels);

/** What ValidatePodTemplateSpecForReplicaSet (and its StatefulSet and DaemonSet twins) add to a pod template's own validation. */
function validateControllerTemplate(template: Obj, selector: Selector, path: FieldPath, kind: string, labelsPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!selectsEverything(selector) && !matches(selector, templateLabelsOf(template))) {
    errs.push(invalid(labelsPath, objectAt(template.metadata).labels ?? null, SELECTOR_MISMATCH));
  }
  const restartPolicy = restartPolicyOf(template);
  if (restartPolicy !== 'Always') errs.push(notSupported(path.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
  if (isSet(objectAt(template.spec).activeDeadlineSeconds)) {
    errs.push(forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  }
  return errs;
}

/** The selector checks ValidateDeploymentSpec, ValidateReplicaSetSpec and ValidateStatefulSetSpec share. */
function validateRequiredSelector(selector: unknown, path: FieldPath, emptyMessage: string): FieldError[] {
  if (!isSet(selector)) return [required(path)];
  const errs = validateLabelSelector(selector, path);
  const s = objectAt(selector);
  if (Object.keys(objectAt(s.matchLabels)).length + listAt(s.matchExpressions).length === 0) errs.push(invalid(path, selector, emptyMessage));
  return errs;
}

function validateReplicaSetLikeSpec(s: Obj, kind: string, emptyMessage: string): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegativeField(s.replicas, SPEC.child('replicas')));
  errs.push(...validateRequiredSelector(s.selector, SPEC.child('selector'), emptyMessage));
  const selector = labelSelectorAsSelector(s.selector);
  const templatePath = SPEC.child('template');
  if (selector === undefined) errs.push(invalid(SPEC.child('selector'), s.selector, 'invalid label selector'));
  else errs.push(...validateControllerTemplate(objectAt(s.template), selector, templatePath, kind, templatePath.child('metadata', 'labels')));
  return errs;
}

// ---- apps/v1 ----

/** ValidateDeploymentStrategy after SetDefaults_Deployment (type RollingUpdate, maxSurge and maxUnavailable 25%). */
function validateDeploymentStrategy(strategy: Obj, path: FieldPath): FieldError[] {
  const type = strategy.type || 'RollingUpdate';
  switch (type) {
    case 'Recreate':
      return isSet(strategy.rollingUpdate) ? [forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const rollingUpdate = objectAt(strategy.rollingUpdate);
      const maxUnavailable = rollingUpdate.maxUnavailable ?? '25%';
      const maxSurge = rollingUpdate.maxSurge ?? '25%';
      const ruPath = path.child('rollingUpdate');
      const errs = [
        ...validatePositiveIntOrPercent(maxUnavailable, ruPath.child('maxUnavailable')),
        ...validatePositiveIntOrPercent(maxSurge, ruPath.child('maxSurge')),
      ];
      if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
        errs.push(invalid(ruPath.child('maxUnavailable'), maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      errs.push(...isNotMoreThan100Percent(maxUnavailable, ruPath.child('maxUnavailable')));
      return errs;
    }
    default:
      return [notSupported(path, strategy, ['Recreate', 'RollingUpdate'])];
  }
}

const DEPLOYMENT_SPEC: ApiRule = {
  id: 'API-DEPLOYMENT-SPEC',
  mirrors: 'ValidateDeploymentSpec (pkg/apis/apps/validation/validation.go)',
  checks:
    'A Deployment has a non-empty valid selector that matches its template labels, replicas ≥ 0, a Recreate or RollingUpdate strategy ' +
    '(maxSurge and maxUnavailable integers or percents, not both 0), restartPolicy Always, minReadySeconds and revisionHistoryLimit ≥ 0, ' +
    'and progressDeadlineSeconds greater than minReadySeconds.',
  kinds: ['Deployment'],
  validate(manifest) {
    const s = spec(manifest);
    const errs = validateReplicaSetLikeSpec(s, 'ReplicaSet', 'empty selector is invalid for deployment');
    errs.push(...validateDeploymentStrategy(objectAt(s.strategy), SPEC.child('strategy')));
    errs.push(...validateNonnegativeField(s.minReadySeconds, SPEC.child('minReadySeconds')));
    errs.push(...validateNonnegativeField(s.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
    const progressDeadlineSeconds = s.progressDeadlineSeconds ?? 600;
    errs.push(...validateNonnegativeField(progressDeadlineSeconds, SPEC.child('progressDeadlineSeconds')));
    const minReadySeconds = typeof s.minReadySeconds === 'number' ? s.minReadySeconds : 0;
    if (typeof progressDeadlineSeconds === 'number' && progressDeadlineSeconds <= minReadySeconds) {
      errs.push(invalid(SPEC.child('progressDeadlineSeconds'), progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
    return errs;
  },
};

const REPLICASET_SPEC: ApiRule = {
  id: 'API-REPLICASET-SPEC',
  mirrors: 'ValidateReplicaSetSpec (pkg/apis/apps/validation/validation.go)',
  checks: 'A ReplicaSet has replicas and minReadySeconds ≥ 0, a non-empty valid selector matching its template labels, and restartPolicy Always.',
  kinds: ['ReplicaSet'],
  validate(manifest) {
    const s = spec(manifest);
    const errs = validateReplicaSetLikeSpec(s, 'ReplicaSet', 'empty selector is invalid for deployment');
    errs.push(...validateNonnegativeField(s.minReadySeconds, SPEC.child('minReadySeconds')));
    return errs;
  },
};

const PVC_RETENTION_POLICIES = ['Retain', 'Delete'];

const STATEFULSET_SPEC: ApiRule = {
  id: 'API-STATEFULSET-SPEC',
  mirrors: 'ValidateStatefulSetSpec (pkg/apis/apps/validation/validation.go)',
  checks:
    'A StatefulSet has podManagementPolicy OrderedReady or Parallel, updateStrategy RollingUpdate (partition ≥ 0) or OnDelete (no rollingUpdate), ' +
    'persistentVolumeClaimRetentionPolicy values Retain or Delete, replicas, minReadySeconds and ordinals.start ≥ 0, a non-empty valid selector ' +
    'matching its template labels, restartPolicy Always and no activeDeadlineSeconds.',
  kinds: ['StatefulSet'],
  validate(manifest) {
    const s = spec(manifest);
    const errs: FieldError[] = [];
    const podManagementPolicy = s.podManagementPolicy || 'OrderedReady';
    if (podManagementPolicy !== 'OrderedReady' && podManagementPolicy !== 'Parallel') {
      errs.push(invalid(SPEC.child('podManagementPolicy'), podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
    }

    const strategy = objectAt(s.updateStrategy);
    const strategyPath = SPEC.child('updateStrategy');
    switch (strategy.type || 'RollingUpdate') {
      case 'OnDelete':
        if (isSet(strategy.rollingUpdate)) {
          errs.push(invalid(strategyPath.child('rollingUpdate'), strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
        }
        break;
      case 'RollingUpdate':
        errs.push(...validateNonnegativeField(objectAt(strategy.rollingUpdate).partition, strategyPath.child('rollingUpdate', 'partition')));
        break;
      default:
        errs.push(invalid(strategyPath, strategy, "must be 'RollingUpdate' or 'OnDelete'"));
    }

    if (isSet(s.persistentVolumeClaimRetentionPolicy)) {
      const policy = objectAt(s.persistentVolumeClaimRetentionPolicy);
      const policyPath = SPEC.child('persistentVolumeClaimRetentionPolicy');
      for (const field of ['whenDeleted', 'whenScaled']) {
        const value = policy[field] || 'Retain';
        if (!PVC_RETENTION_POLICIES.includes(value)) errs.push(notSupported(policyPath.child(field), value, PVC_RETENTION_POLICIES));
      }
    }

    errs.push(...validateNonnegativeField(s.replicas, SPEC.child('replicas')));
    errs.push(...validateNonnegativeField(s.minReadySeconds, SPEC.child('minReadySeconds')));
    // Go names the field `ordinals.start` in one Child() call; the path prints the same.
    if (isSet(s.ordinals)) errs.push(...validateNonnegativeField(objectAt(s.ordinals).start, SPEC.child('ordinals.start')));

    errs.push(...validateRequiredSelector(s.selector, SPEC.child('selector'), 'empty selector is invalid for statefulset'));
    const selector = labelSelectorAsSelector(s.selector);
    const templatePath = SPEC.child('template');
    if (selector === undefined) errs.push(invalid(SPEC.child('selector'), s.selector, ''));
    else errs.push(...validateControllerTemplate(objectAt(s.template), selector, templatePath, 'StatefulSet', templatePath.child('metadata', 'labels')));
    return errs;
  },
};

const DAEMONSET_SPEC: ApiRule = {
  id: 'API-DAEMONSET-SPEC',
  mirrors: 'ValidateDaemonSetSpec (pkg/apis/apps/validation/validation.go)',
  checks:
    'A DaemonSet has a non-empty valid selector matching its template labels, restartPolicy Always, no activeDeadlineSeconds, ' +
    'minReadySeconds and revisionHistoryLimit ≥ 0, and an OnDelete or RollingUpdate strategy whose maxSurge and maxUnavailable are ' +
    'integers or percents up to 100%, exactly one of them non-zero.',
  kinds: ['DaemonSet'],
  validate(manifest) {
    const s = spec(manifest);
    const errs = validateLabelSelector(s.selector, SPEC.child('selector'));
    const selector = labelSelectorAsSelector(s.selector);
    const template = objectAt(s.template);
    const templatePath = SPEC.child('template');
    if (selector !== undefined && !matches(selector, templateLabelsOf(template))) {
      errs.push(invalid(templatePath.child('metadata', 'labels'), objectAt(template.metadata).labels ?? null, SELECTOR_MISMATCH));
    }
    const sel = objectAt(s.selector);
    if (isSet(s.selector) && Object.keys(objectAt(sel.matchLabels)).length + listAt(sel.matchExpressions).length === 0) {
      errs.push(invalid(SPEC.child('selector'), s.selector, 'empty selector is invalid for daemonset'));
    }
    const restartPolicy = restartPolicyOf(template);
    if (restartPolicy !== 'Always') errs.push(notSupported(templatePath.child('spec', 'restartPolicy'), restartPolicy, ['Always']));
    if (isSet(objectAt(template.spec).activeDeadlineSeconds)) {
      errs.push(forbidden(templatePath.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in DaemonSet is not Supported'));
    }
    errs.push(...validateNonnegativeField(s.minReadySeconds, SPEC.child('minReadySeconds')));

    const strategy = objectAt(s.updateStrategy);
    const strategyPath = SPEC.child('updateStrategy');
    switch (strategy.type || 'RollingUpdate') {
      case 'OnDelete':
        break;
      case 'RollingUpdate': {
        // SetDefaults_DaemonSet: maxUnavailable 1, maxSurge 0.
        const rollingUpdate = objectAt(strategy.rollingUpdate);
        const maxUnavailable = rollingUpdate.maxUnavailable ?? 1;
        const maxSurge = rollingUpdate.maxSurge ?? 0;
        const ruPath = strategyPath.child('rollingUpdate');
        errs.push(...validatePositiveIntOrPercent(maxUnavailable, ruPath.child('maxUnavailable')));
        errs.push(...validatePositiveIntOrPercent(maxSurge, ruPath.child('maxSurge')));
        errs.push(...isNotMoreThan100Percent(maxUnavailable, ruPath.child('maxUnavailable')));
        errs.push(...isNotMoreThan100Percent(maxSurge, ruPath.child('maxSurge')));
        const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
        const hasSurge = intOrPercentValue(maxSurge) !== 0;
        if (hasUnavailable && hasSurge) errs.push(invalid(ruPath.child('maxSurge'), maxSurge, 'may not be set when maxUnavailable is non-zero'));
        if (!hasUnavailable && !hasSurge) errs.push(required(ruPath.child('maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
        break;
      }
      default:
        errs.push(notSupported(strategyPath, strategy, ['RollingUpdate', 'OnDelete']));
    }
    errs.push(...validateNonnegativeField(s.revisionHistoryLimit, SPEC.child('revisionHistoryLimit')));
    return errs;
  },
};

// ---- batch/v1 ----

/** Stands for the uid the API server assigns on create, which no label written beforehand can equal (a valid label value, so selectors parse). */
const JOB_UID = 'uid-assigned-by-the-api-server';
const LEGACY_JOB_NAME_LABEL = 'job-name';
const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100000;

const manualSelector = (s: Obj): boolean => s.manualSelector === true;

/** The template labels after generateSelector (pkg/registry/batch/job/strategy.go) added the ones a person left out. */
function generatedTemplateLabels(manifest: Obj): Obj {
  const labels = { ...templateLabelsOf(objectAt(spec(manifest).template)) };
  const name = String(manifest.metadata?.name ?? '');
  for (const [key, value] of [
    [LEGACY_JOB_NAME_LABEL, name],
    [JOB_NAME_LABEL, name],
    [LEGACY_CONTROLLER_UID_LABEL, JOB_UID],
    [CONTROLLER_UID_LABEL, JOB_UID],
  ]) {
    if (!(key in labels)) labels[key] = value;
  }
  return labels;
}

/** The selector after generateSelector: the person's, plus the Job's uid. */
function generatedSelector(selector: unknown): unknown {
  if (isSet(selector) && !isObject(selector)) return selector;
  const s = objectAt(selector);
  const matchLabels = objectAt(s.matchLabels);
  return { ...s, matchLabels: CONTROLLER_UID_LABEL in matchLabels ? matchLabels : { ...matchLabels, [CONTROLLER_UID_LABEL]: JOB_UID } };
}

const JOB_SPEC: ApiRule = {
  id: 'API-JOB-SPEC',
  mirrors: 'ValidateJobSpec (pkg/apis/batch/validation/validation.go)',
  checks:
    'A Job has parallelism, completions, activeDeadlineSeconds, backoffLimit and ttlSecondsAfterFinished ≥ 0, a known completionMode ' +
    '(Indexed needs completions and at most 100000 parallelism), restartPolicy OnFailure or Never (Never with a podFailurePolicy), ' +
    'and a valid selector matching its template labels (required with manualSelector).',
  kinds: ['Job'],
  validate(manifest) {
    const s = spec(manifest);
    const template = objectAt(s.template);
    const errs: FieldError[] = [];
    for (const field of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
      errs.push(...validateNonnegativeField(s[field], SPEC.child(field)));
    }
    if (isSet(s.completionMode)) {
      if (s.completionMode !== 'NonIndexed' && s.completionMode !== 'Indexed') {
        errs.push(notSupported(SPEC.child('completionMode'), s.completionMode, ['NonIndexed', 'Indexed']));
      }
      if (s.completionMode === 'Indexed') {
        if (!isSet(s.completions)) errs.push(required(SPEC.child('completions'), 'when completion mode is Indexed'));
        if (typeof s.parallelism === 'number' && s.parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
          errs.push(invalid(SPEC.child('parallelism'), s.parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
        }
      }
    }

    const restartPolicy = objectAt(template.spec).restartPolicy;
    const restartPath = SPEC.child('template', 'spec', 'restartPolicy');
    if (restartPolicy === undefined || restartPolicy === null || restartPolicy === '' || restartPolicy === 'Always') {
      errs.push(required(restartPath, 'valid values: "OnFailure", "Never"'));
    } else if (restartPolicy !== 'OnFailure' && restartPolicy !== 'Never') {
      errs.push(notSupported(restartPath, restartPolicy, ['OnFailure', 'Never']));
    } else if (isSet(s.podFailurePolicy) && restartPolicy !== 'Never') {
      errs.push(invalid(restartPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
    }

    const manual = manualSelector(s);
    const selector = manual ? s.selector : generatedSelector(s.selector);
    if (!isSet(selector)) errs.push(required(SPEC.child('selector')));
    else errs.push(...validateLabelSelector(manual ? selector : s.selector, SPEC.child('selector')));
    const parsed = labelSelectorAsSelector(selector);
    const labels = manual ? templateLabelsOf(template) : generatedTemplateLabels(manifest);
    if (parsed !== undefined && !matches(parsed, labels)) {
      errs.push(invalid(SPEC.child('template', 'metadata', 'labels'), manual ? (objectAt(template.metadata).labels ?? null) : labels, SELECTOR_MISMATCH));
    }
    return errs;
  },
};

const JOB: ApiRule = {
  id: 'API-JOB',
  mirrors: 'ValidateJob and validateGeneratedSelector (pkg/apis/batch/validation/validation.go)',
  checks:
    'Without manualSelector, a Job leaves its selector and its pods’ job-name and controller-uid labels to the API server, ' +
    'and an Indexed Job’s name with its highest index appended is still a DNS-1123 label.',
  kinds: ['Job'],
  validate(manifest) {
    const s = spec(manifest);
    const errs: FieldError[] = [];
    const name = String(manifest.metadata?.name ?? '');
    if (!manualSelector(s)) {
      const labels = generatedTemplateLabels(manifest);
      const labelsPath = SPEC.child('template', 'metadata', 'labels');
      for (const [key, expected] of [
        [LEGACY_CONTROLLER_UID_LABEL, JOB_UID],
        [LEGACY_JOB_NAME_LABEL, name],
        [CONTROLLER_UID_LABEL, JOB_UID],
        [JOB_NAME_LABEL, name],
      ]) {
        if (labels[key] !== expected) errs.push(invalid(labelsPath.key(key), labels, expected));
      }
      const expectedLabels = { [CONTROLLER_UID_LABEL]: JOB_UID, [JOB_NAME_LABEL]: name, [LEGACY_CONTROLLER_UID_LABEL]: JOB_UID, [LEGACY_JOB_NAME_LABEL]: name };
      const selector = labelSelectorAsSelector(generatedSelector(s.selector));
      if (selector !== undefined && !matches(selector, expectedLabels)) {
        errs.push(invalid(SPEC.child('selector'), s.selector, '`selector` not auto-generated'));
      }
    }
    if (s.completionMode === 'Indexed' && typeof s.completions === 'number' && s.completions > 0) {
      const hostname = `${name}-${s.completions - 1}`;
      if (isDns1123Label(hostname).length > 0) {
        errs.push(invalid(FieldPath.root('metadata').child('name'), name, `will not able to create pod with invalid DNS label: ${hostname}`));
      }
    }
    return errs;
  },
};

// ---- autoscaling/v2 ----

const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const METRIC_SOURCE_FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['object', 'Object'],
  ['external', 'External'],
  ['pods', 'Pods'],
  ['resource', 'Resource'],
  ['containerResource', 'ContainerResource'],
];

/** The sign of a resource.Quantity (-1, 0, 1), or undefined for what does not decode as one. */
function quantitySign(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.sign(value);
  if (typeof value !== 'string') return undefined;
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$/.exec(value);
  if (!m) return undefined;
  if (!/[1-9]/.test(m[2])) return 0;
  return m[1] === '-' ? -1 : 1;
}

/** ValidateCrossVersionObjectReference. */
function validateCrossVersionObjectReference(ref: unknown, path: FieldPath): FieldError[] {
  const r = objectAt(ref);
  const errs: FieldError[] = [];
  for (const field of ['kind', 'name']) {
    const value = r[field];
    if (typeof value !== 'string' || value.length === 0) errs.push(required(path.child(field)));
    else errs.push(...isValidPathSegmentName(value).map((m) => invalid(path.child(field), value, m)));
  }
  return errs;
}

function validateMetricIdentifier(id: unknown, path: FieldPath): FieldError[] {
  const name = objectAt(id).name;
  if (typeof name !== 'string' || name.length === 0) return [required(path.child('name'), 'must specify a metric name')];
  return isValidPathSegmentName(name).map((m) => invalid(path.child('name'), name, m));
}

function validateMetricTarget(target: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (!target.type) errs.push(required(path.child('type'), 'must specify a metric target type'));
  if (target.type !== 'Utilization' && target.type !== 'Value' && target.type !== 'AverageValue') {
    errs.push(invalid(path.child('type'), target.type ?? '', 'must be either Utilization, Value, or AverageValue'));
  }
  for (const field of ['value', 'averageValue']) {
    if (isSet(target[field]) && quantitySign(target[field]) !== 1) errs.push(invalid(path.child(field), target[field], 'must be positive'));
  }
  if (isSet(target.averageUtilization) && !(target.averageUtilization >= 1)) {
    errs.push(invalid(path.child('averageUtilization'), target.averageUtilization, 'must be greater than 0'));
  }
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];

/** ValidateContainerResourceName (pkg/apis/core/v1/validation): a qualified name; without a domain, a standard container resource. */
function validateContainerResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.includes(name) && !name.startsWith('hugepages-')) {
    return [invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

function validateMetricSource(field: string, source: Obj, path: FieldPath): FieldError[] {
  const target = objectAt(source.target);
  const targetPath = path.child('target');
  const errs: FieldError[] = [];
  switch (field) {
    case 'object':
      errs.push(...validateCrossVersionObjectReference(source.describedObject, path.child('describedObject')));
      errs.push(...validateMetricIdentifier(source.metric, path.child('metric')));
      errs.push(...validateMetricTarget(target, targetPath));
      if (!isSet(target.value) && !isSet(target.averageValue)) {
        errs.push(required(targetPath.child('averageValue'), 'must set either a target value or averageValue'));
      }
      break;
    case 'external':
      errs.push(...validateMetricIdentifier(source.metric, path.child('metric')));
      errs.push(...validateMetricTarget(target, targetPath));
      if (!isSet(target.value) && !isSet(target.averageValue)) {
        errs.push(required(targetPath.child('averageValue'), 'must set either a target value for metric or a per-pod target'));
      }
      if (isSet(target.value) && isSet(target.averageValue)) {
        errs.push(forbidden(targetPath.child('value'), 'may not set both a target value for metric and a per-pod target'));
      }
      break;
    case 'pods':
      errs.push(...validateMetricIdentifier(source.metric, path.child('metric')));
      errs.push(...validateMetricTarget(target, targetPath));
      if (!isSet(target.averageValue)) errs.push(required(targetPath.child('averageValue'), 'must specify a positive target averageValue'));
      break;
    case 'resource':
    case 'containerResource':
      if (typeof source.name !== 'string' || source.name.length === 0) errs.push(required(path.child('name'), 'must specify a resource name'));
      else if (field === 'containerResource') errs.push(...validateContainerResourceName(source.name, path.child('name')));
      if (field === 'containerResource') {
        if (typeof source.container !== 'string' || source.container.length === 0) errs.push(required(path.child('container'), 'must specify a container'));
        else errs.push(...isDns1123Label(source.container).map((m) => invalid(path.child('container'), source.container, m)));
      }
      errs.push(...validateMetricTarget(target, targetPath));
      if (!isSet(target.averageUtilization) && !isSet(target.averageValue)) {
        errs.push(required(targetPath.child('averageUtilization'), 'must set either a target raw value or a target utilization'));
      }
      if (isSet(target.averageUtilization) && isSet(target.averageValue)) {
        errs.push(forbidden(targetPath.child('averageValue'), 'may not set both a target raw value and a target utilization'));
      }
      break;
  }
  return errs;
}

/** validateMetricSpec. */
function validateMetricSpec(metric: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = metric.type ?? '';
  if (type === '') errs.push(required(path.child('type'), 'must specify a metric source type'));
  if (!METRIC_SOURCE_TYPES.includes(type)) errs.push(notSupported(path.child('type'), type, METRIC_SOURCE_TYPES));
  const present = METRIC_SOURCE_FIELDS.filter(([field]) => isSet(metric[field])).map(([field]) => field);
  // Go validates only the first source it finds, in this order, and forbids the others below.
  if (present.length > 0) errs.push(...validateMetricSource(present[0], objectAt(metric[present[0]]), path.child(present[0])));
  const expected = METRIC_SOURCE_FIELDS.find(([, t]) => t === type)?.[0];
  if (expected === undefined) errs.push(notSupported(path.child('type'), type, METRIC_SOURCE_TYPES));
  else if (!isSet(metric[expected])) errs.push(required(path.child(expected), 'must populate information for the given metric source'));
  if (present.length !== 1) {
    for (const field of present) if (field !== expected) errs.push(forbidden(path.child(field), 'must populate the given metric source only'));
  }
  return errs;
}

/** validateScalingRules, after GenerateHPAScaleUpRules/ScaleDownRules filled in what was left out. */
function validateScalingRules(rules: unknown, path: FieldPath): FieldError[] {
  if (!isSet(rules)) return [];
  const r = objectAt(rules);
  const errs: FieldError[] = [];
  const window = r.stabilizationWindowSeconds;
  if (typeof window === 'number' && window < 0) errs.push(invalid(path.child('stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (typeof window === 'number' && window > MAX_STABILIZATION_WINDOW_SECONDS) {
    errs.push(invalid(path.child('stabilizationWindowSeconds'), window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (isSet(r.selectPolicy) && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy)) {
    errs.push(notSupported(path.child('selectPolicy'), r.selectPolicy, ['Disabled', 'Max', 'Min']));
  }
  const policiesPath = path.child('policies');
  // Only an explicit empty list survives defaulting.
  if (Array.isArray(r.policies) && r.policies.length === 0) errs.push(required(policiesPath, 'must specify at least one Policy'));
  listAt(r.policies).forEach((p, i) => {
    const policy = objectAt(p);
    const at = policiesPath.index(i);
    if (policy.type !== 'Pods' && policy.type !== 'Percent') errs.push(notSupported(at.child('type'), policy.type ?? '', ['Percent', 'Pods']));
    const value = policy.value ?? 0;
    if (!(value > 0)) errs.push(invalid(at.child('value'), value, 'must be greater than zero'));
    const period = policy.periodSeconds ?? 0;
    if (!(period > 0)) errs.push(invalid(at.child('periodSeconds'), period, 'must be greater than zero'));
    if (period > MAX_PERIOD_SECONDS) errs.push(invalid(at.child('periodSeconds'), period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

const HPA_SPEC: ApiRule = {
  id: 'API-HPA-SPEC',
  mirrors: 'validateHorizontalPodAutoscalerSpec (pkg/apis/autoscaling/validation/validation.go)',
  checks:
    'An autoscaling/v2 HorizontalPodAutoscaler has minReplicas ≥ 1, maxReplicas ≥ 1 and ≥ minReplicas, a scaleTargetRef with kind and name, ' +
    'metrics whose type names the one source they populate with a valid target, and behavior rules with valid policies.',
  kinds: ['HorizontalPodAutoscaler'],
  validate(manifest) {
    const s = spec(manifest);
    const errs: FieldError[] = [];
    // HPAScaleToZero is alpha (off) in 1.28, so the lower bound is 1; minReplicas defaults to 1.
    const minReplicas = s.minReplicas ?? 1;
    const maxReplicas = s.maxReplicas ?? 0;
    if (typeof minReplicas === 'number' && minReplicas < 1) errs.push(invalid(SPEC.child('minReplicas'), minReplicas, 'must be greater than or equal to 1'));
    if (typeof maxReplicas === 'number' && maxReplicas < 1) errs.push(invalid(SPEC.child('maxReplicas'), maxReplicas, 'must be greater than 0'));
    if (typeof minReplicas === 'number' && typeof maxReplicas === 'number' && maxReplicas < minReplicas) {
      errs.push(invalid(SPEC.child('maxReplicas'), maxReplicas, 'must be greater than or equal to `minReplicas`'));
    }
    errs.push(...validateCrossVersionObjectReference(s.scaleTargetRef, SPEC.child('scaleTargetRef')));
    // An HPA without metrics is defaulted to 80% CPU utilization, which is valid.
    listAt(s.metrics).forEach((m, i) => errs.push(...validateMetricSpec(objectAt(m), SPEC.child('metrics').index(i))));
    if (isSet(s.behavior)) {
      const behavior = objectAt(s.behavior);
      errs.push(...validateScalingRules(behavior.scaleUp, SPEC.child('behavior', 'scaleUp')));
      errs.push(...validateScalingRules(behavior.scaleDown, SPEC.child('behavior', 'scaleDown')));
    }
    return errs;
  },
};

// ---- policy/v1 ----

const UNHEALTHY_POD_EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

const PDB_SPEC: ApiRule = {
  id: 'API-PDB-SPEC',
  mirrors: 'ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation/validation.go)',
  checks:
    'A PodDisruptionBudget sets at most one of minAvailable and maxUnavailable, each an integer ≥ 0 or a percent up to 100%, ' +
    'has a valid selector, and an unhealthyPodEvictionPolicy of IfHealthyBudget or AlwaysAllow.',
  kinds: ['PodDisruptionBudget'],
  validate(manifest) {
    const s = spec(manifest);
    const errs: FieldError[] = [];
    if (isSet(s.minAvailable) && isSet(s.maxUnavailable)) errs.push(invalid(SPEC, manifest.spec, 'minAvailable and maxUnavailable cannot be both set'));
    for (const field of ['minAvailable', 'maxUnavailable']) {
      if (!isSet(s[field])) continue;
      errs.push(...validatePositiveIntOrPercent(s[field], SPEC.child(field)));
      errs.push(...isNotMoreThan100Percent(s[field], SPEC.child(field)));
    }
    errs.push(...validateLabelSelector(s.selector, SPEC.child('selector')));
    if (isSet(s.unhealthyPodEvictionPolicy) && !UNHEALTHY_POD_EVICTION_POLICIES.includes(s.unhealthyPodEvictionPolicy)) {
      errs.push(notSupported(SPEC.child('unhealthyPodEvictionPolicy'), s.unhealthyPodEvictionPolicy, UNHEALTHY_POD_EVICTION_POLICIES));
    }
    return errs;
  },
};

// ---- networking.k8s.io/v1 ----

/** An address as Go's net.ParseIP and the API server's ParseIPSloppy read it (the latter allows leading zeros in IPv4). */
function isIpSloppy(value: string): boolean {
  if (parseCidr(`${value}/0`) !== undefined) return true;
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

/** ValidateIPBlock as of 1.28 (apivalidation.ValidateCIDR: `not a valid CIDR`). */
function validateIpBlock(block: Obj, path: FieldPath): FieldError[] {
  if (typeof block.cidr !== 'string' || block.cidr === '') return [required(path.child('cidr'))];
  const cidr = cidrNetwork(block.cidr);
  if (cidr === undefined) return [invalid(path.child('cidr'), block.cidr, 'not a valid CIDR')];
  const errs: FieldError[] = [];
  const except = listAt(block.except);
  for (let i = 0; i < except.length; i++) {
    const exceptPath = path.child('except').index(i);
    const e = typeof except[i] === 'string' ? cidrNetwork(except[i] as string) : undefined;
    if (e === undefined) {
      errs.push(invalid(exceptPath, except[i], 'not a valid CIDR'));
      return errs;
    }
    if (!cidrContains(cidr, e) || cidr.prefixLength >= e.prefixLength) errs.push(invalid(exceptPath, except[i], 'must be a strict subset of `cidr`'));
  }
  return errs;
}

/** ValidateNetworkPolicyPort, after defaulting the protocol to TCP. */
function validateNetworkPolicyPort(port: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const protocol = port.protocol ?? 'TCP';
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) errs.push(notSupported(path.child('protocol'), protocol, ['TCP', 'UDP', 'SCTP']));
  if (isSet(port.port)) {
    if (typeof port.port === 'number') {
      errs.push(...isValidPortNum(port.port).map((m) => invalid(path.child('port'), port.port, m)));
      if (isSet(port.endPort)) {
        if (port.endPort < port.port) errs.push(invalid(path.child('endPort'), port.port, 'must be greater than or equal to `port`'));
        errs.push(...isValidPortNum(port.endPort).map((m) => invalid(path.child('endPort'), port.endPort, m)));
      }
    } else {
      if (isSet(port.endPort)) errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is non-numeric'));
      errs.push(...isValidPortName(String(port.port)).map((m) => invalid(path.child('port'), port.port, m)));
    }
  } else if (isSet(port.endPort)) {
    errs.push(invalid(path.child('endPort'), port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

/** ValidateNetworkPolicyPeer. */
function validateNetworkPolicyPeer(peer: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  for (const field of ['podSelector', 'namespaceSelector']) {
    if (!isSet(peer[field])) continue;
    peers++;
    errs.push(...validateLabelSelector(peer[field], path.child(field)));
  }
  if (isSet(peer.ipBlock)) {
    peers++;
    errs.push(...validateIpBlock(objectAt(peer.ipBlock), path.child('ipBlock')));
  }
  if (peers === 0) errs.push(required(path, 'must specify a peer'));
  else if (peers > 1 && isSet(peer.ipBlock)) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

const NETWORK_POLICY_SPEC: ApiRule = {
  id: 'API-NETWORKPOLICY-SPEC',
  mirrors: 'ValidateNetworkPolicySpec (pkg/apis/networking/validation/validation.go)',
  checks:
    'A NetworkPolicy has valid pod and namespace selectors, ports that are numbers from 1 to 65535 or IANA port names ' +
    '(endPort ≥ port, only with a numeric port), protocols TCP, UDP or SCTP, peers that are selectors or an ipBlock alone ' +
    '(a valid CIDR whose exceptions lie strictly inside it), and at most the policyTypes Ingress and Egress.',
  kinds: ['NetworkPolicy'],
  validate(manifest) {
    const s = spec(manifest);
    const errs = validateLabelSelector(s.podSelector, SPEC.child('podSelector'));
    for (const [direction, peersField] of [
      ['ingress', 'from'],
      ['egress', 'to'],
    ]) {
      listAt(s[direction]).forEach((r, i) => {
        const rule = objectAt(r);
        const rulePath = SPEC.child(direction).index(i);
        listAt(rule.ports).forEach((p, j) => errs.push(...validateNetworkPolicyPort(objectAt(p), rulePath.child('ports').index(j))));
        listAt(rule[peersField]).forEach((p, j) => errs.push(...validateNetworkPolicyPeer(objectAt(p), rulePath.child(peersField).index(j))));
      });
    }
    const policyTypes = listAt(s.policyTypes);
    if (policyTypes.length > 2) {
      errs.push(invalid(SPEC.child('policyTypes'), policyTypes, 'may not specify more than two policyTypes'));
      return errs;
    }
    policyTypes.forEach((t, i) => {
      if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(SPEC.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
    });
    return errs;
  },
};

const WILDCARD_DNS1123_SUBDOMAIN_FMT = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const WILDCARD_DNS1123_SUBDOMAIN = new RegExp(`^${WILDCARD_DNS1123_SUBDOMAIN_FMT}$`);
const WILDCARD_DNS1123_SUBDOMAIN_ERR =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, " +
  "which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";

/** validation.IsWildcardDNS1123Subdomain (not among meta's exports). */
function isWildcardDns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (longerThanBytes(value, 253)) errs.push(maxLenError(253));
  if (!WILDCARD_DNS1123_SUBDOMAIN.test(value)) errs.push(regexError(WILDCARD_DNS1123_SUBDOMAIN_ERR, WILDCARD_DNS1123_SUBDOMAIN_FMT, '*.example.com'));
  return errs;
}

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

/** validateIngressTypedLocalObjectReference. */
function validateTypedLocalObjectReference(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(ref.apiGroup)) errs.push(...isDns1123Subdomain(String(ref.apiGroup)).map((m) => invalid(path.child('apiGroup'), ref.apiGroup, m)));
  for (const field of ['kind', 'name']) {
    const value = ref[field];
    if (typeof value !== 'string' || value === '') errs.push(required(path.child(field), `${field} is required`));
    else errs.push(...isValidPathSegmentName(value).map((m) => invalid(path.child(field), value, m)));
  }
  return errs;
}

/** validateIngressBackend. */
function validateIngressBackend(backend: Obj, path: FieldPath): FieldError[] {
  const hasResource = isSet(backend.resource);
  const hasService = isSet(backend.service);
  if (hasResource && hasService) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(objectAt(backend.resource), path.child('resource'));
  if (!hasService) return [invalid(path, '', 'resource or service backend is required')];
  const service = objectAt(backend.service);
  const errs: FieldError[] = [];
  if (typeof service.name !== 'string' || service.name === '') errs.push(required(path.child('service', 'name')));
  else errs.push(...isDns1035Label(service.name).map((m) => invalid(path.child('service', 'name'), service.name, m)));
  const port = objectAt(service.port);
  const hasName = typeof port.name === 'string' && port.name.length > 0;
  const hasNumber = isSet(port.number) && port.number !== 0;
  if (hasName && hasNumber) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (hasName) errs.push(...isValidPortName(port.name).map((m) => invalid(path.child('service', 'port', 'name'), port.name, m)));
  else if (hasNumber) errs.push(...isValidPortNum(port.number).map((m) => invalid(path.child('service', 'port', 'number'), port.number, m)));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

/** validateHTTPIngressPath. */
function validateHttpIngressPath(p: Obj, path: FieldPath): FieldError[] {
  if (!isSet(p.pathType)) return [required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value: string = typeof p.path === 'string' ? p.path : '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(path.child('path'), value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) errs.push(invalid(path.child('path'), value, `cannot end with '${suffix}'`));
      break;
    case 'ImplementationSpecific':
      if (value.length > 0 && !value.startsWith('/')) errs.push(invalid(path.child('path'), value, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(path.child('pathType'), p.pathType, PATH_TYPES));
  }
  errs.push(...validateIngressBackend(objectAt(p.backend), path.child('backend')));
  return errs;
}

/** validateIngressRules. */
function validateIngressRules(rules: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r, i) => {
    const rule = objectAt(r);
    const host = typeof rule.host === 'string' ? rule.host : '';
    const hostPath = path.index(i).child('host');
    if (host.length > 0) {
      if (isIpSloppy(host)) errs.push(invalid(hostPath, host, 'must be a DNS name, not an IP address'));
      const problems = host.includes('*') ? isWildcardDns1123Subdomain(host) : isDns1123Subdomain(host);
      errs.push(...problems.map((m) => invalid(hostPath, host, m)));
    }
    if (isSet(rule.http)) {
      const httpPath = path.index(i).child('http');
      const paths = listAt(objectAt(rule.http).paths);
      if (paths.length === 0) errs.push(required(httpPath.child('paths')));
      paths.forEach((p, j) => errs.push(...validateHttpIngressPath(objectAt(p), httpPath.child('paths').index(j))));
    }
  });
  return errs;
}

/** validateIngressTLS. */
function validateIngressTls(tls: unknown[], path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((t, i) => {
    const entry = objectAt(t);
    listAt(entry.hosts).forEach((h, j) => {
      const host = String(h);
      const problems = host.includes('*') ? isWildcardDns1123Subdomain(host) : isDns1123Subdomain(host);
      errs.push(...problems.map((m) => invalid(path.index(i).child('hosts').index(j), host, m)));
    });
    if (typeof entry.secretName === 'string' && entry.secretName.length > 0) {
      errs.push(...isDns1123Subdomain(entry.secretName).map((m) => invalid(path.index(i).child('secretName'), entry.secretName, m)));
    }
  });
  return errs;
}

const INGRESS_SPEC: ApiRule = {
  id: 'API-INGRESS-SPEC',
  mirrors: 'ValidateIngressSpec (pkg/apis/networking/validation/validation.go)',
  checks:
    'An Ingress has rules or a defaultBackend; rule hosts are DNS-1123 subdomains or wildcards, not IP addresses; every HTTP path has ' +
    'a pathType of Exact, Prefix or ImplementationSpecific and an absolute, normalized path where required; every backend names a ' +
    'resource or a service with a port name or number (not both); TLS hosts and secret names are valid; ingressClassName is a DNS-1123 subdomain.',
  kinds: ['Ingress'],
  validate(manifest) {
    const s = spec(manifest);
    const errs: FieldError[] = [];
    const rules = listAt(s.rules);
    if (rules.length === 0 && !isSet(s.defaultBackend)) errs.push(invalid(SPEC, s.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
    if (isSet(s.defaultBackend)) errs.push(...validateIngressBackend(objectAt(s.defaultBackend), SPEC.child('defaultBackend')));
    if (rules.length > 0) errs.push(...validateIngressRules(rules, SPEC.child('rules')));
    const tls = listAt(s.tls);
    if (tls.length > 0) errs.push(...validateIngressTls(tls, SPEC.child('tls')));
    if (isSet(s.ingressClassName)) {
      errs.push(...isDns1123Subdomain(String(s.ingressClassName)).map((m) => invalid(SPEC.child('ingressClassName'), s.ingressClassName, m)));
    }
    return errs;
  },
};

const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const INGRESS_CREATE: ApiRule = {
  id: 'API-INGRESS-CLASS',
  mirrors: 'ValidateIngressCreate (pkg/apis/networking/validation/validation.go)',
  checks: `An Ingress that has both the ${INGRESS_CLASS_ANNOTATION} annotation and spec.ingressClassName gives them the same value.`,
  kinds: ['Ingress'],
  validate(manifest) {
    const annotation = manifest.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
    const className = spec(manifest).ingressClassName;
    if (annotation === undefined || !isSet(className) || annotation === className) return [];
    return [invalid(FieldPath.root('annotations').child(INGRESS_CLASS_ANNOTATION), annotation, 'must match `ingressClassName` when both are specified')];
  },
};

// ---- scheduling.k8s.io/v1 ----

const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
const SYSTEM_PRIORITY_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** schedulingapiv1.IsKnownSystemPriorityClass's error, or undefined for a known one (system classes are not global defaults). */
function systemPriorityClassProblem(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES[name];
  if (known === undefined) return `${name} is not a known system priority class`;
  if (value !== known) return `value of ${name} PriorityClass must be ${known}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

const PRIORITY_CLASS: ApiRule = {
  id: 'API-PRIORITYCLASS',
  mirrors: 'ValidatePriorityClass (pkg/apis/scheduling/validation/validation.go)',
  checks:
    `A PriorityClass not named with the reserved "${SYSTEM_PRIORITY_CLASS_PREFIX}" prefix has a value of at most ${HIGHEST_USER_DEFINABLE_PRIORITY}, ` +
    'and its preemptionPolicy is PreemptLowerPriority or Never.',
  kinds: ['PriorityClass'],
  validate(manifest) {
    const errs: FieldError[] = [];
    const name = String(manifest.metadata?.name ?? '');
    const value = manifest.value ?? 0;
    if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
      const problem = systemPriorityClassProblem(name, value, manifest.globalDefault === true);
      if (problem !== undefined) {
        errs.push(
          forbidden(
            FieldPath.root('metadata').child('name'),
            `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${problem}`,
          ),
        );
      }
    } else if (typeof value === 'number' && value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      errs.push(forbidden(FieldPath.root('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
    if (isSet(manifest.preemptionPolicy)) {
      const policy = manifest.preemptionPolicy;
      if (policy === '') errs.push(required(FieldPath.root('preemptionPolicy')));
      else if (policy !== 'PreemptLowerPriority' && policy !== 'Never') {
        errs.push(notSupported(FieldPath.root('preemptionPolicy'), policy, ['PreemptLowerPriority', 'Never']));
      }
    }
    return errs;
  },
};

/** apps, batch, autoscaling, policy, networking and scheduling. */
export const WORKLOAD_API_RULES: readonly ApiRule[] = [
  DEPLOYMENT_SPEC,
  REPLICASET_SPEC,
  STATEFULSET_SPEC,
  DAEMONSET_SPEC,
  JOB_SPEC,
  JOB,
  HPA_SPEC,
  PDB_SPEC,
  NETWORK_POLICY_SPEC,
  INGRESS_SPEC,
  INGRESS_CREATE,
  PRIORITY_CLASS,
];
