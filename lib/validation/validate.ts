import { isProtected as isProtectedByDefault } from '../environment/environment';
import { EXEMPT_PREFIX } from '../tree/annotations';
import { objectId, TreeObject } from '../tree/tree-object';
import { Exemption, Finding, ValidationReport } from './finding';
import { validateKubernetesSchema } from './kubernetes-schema';
import { defaultedManifest } from './crd/defaulting';
import { POLICY_RULES } from './policy-rules';
import { DELETION_RULES } from './deletion-rules';
import { ARGOCD_RULES } from './argocd-rules';
import { ARGO_VERSION_FLOOR_RULE } from './argocd-version-floor';
import { REFERENCE_RULES } from './reference-rules';
import { RUNTIME_RULES } from './runtime-rules';
import { Rule, RuleContext } from './rule';
import { WorkloadIndex, workloadsOf } from './workloads';
import { apiServerRules } from './api-server/api-server-rules';
import { YAML11_RULE } from './yaml11-rule';

/** Schema conformance is a rule like the others, so findings and exemptions work the same way. */
const SCHEMA_RULE: Rule = {
  id: 'K8S-SCHEMA',
  checks: 'every object matches the OpenAPI schema of its kind: types, required fields, enums, patterns, bounds, no unknown fields; a custom resource with its CRD\'s defaults applied',
  mirrors: 'the Kubernetes 1.28 OpenAPI schema, and the Argo CD and Gateway API CRDs (structural schema, defaulting)',
  hint: 'fix the field to match the Kubernetes 1.28 API (see `kubectl explain <kind>.<field>`)',
  check(ctx) {
    for (const object of ctx.objects) {
      for (const v of validateKubernetesSchema(defaultedManifest(object.manifest))) ctx.report(object, `${v.field}: ${v.message}`);
    }
  },
};

export const RULES: readonly Rule[] = [SCHEMA_RULE, ...apiServerRules(), ...REFERENCE_RULES, ...ARGOCD_RULES, ARGO_VERSION_FLOOR_RULE, ...RUNTIME_RULES, ...POLICY_RULES, ...DELETION_RULES, YAML11_RULE];

export interface ValidateTreeOptions {
  /** @default RULES */
  readonly rules?: readonly Rule[];
  /**
   * Whether an environment is protected (its Applications must not cascade and must wait for a
   * confirmation before the root prunes them).
   * @default - the environment model's default: `prod` only
   */
  readonly isProtected?: (environment: string) => boolean;
  /**
   * The text of each tree file by its path, when the objects were read from files: lets the rules
   * on how a file reads (YAML-1.1) run. Synth passes none: its emitter is YAML 1.1-safe.
   * @default - no file text; those rules check nothing
   */
  readonly sourceText?: (path: string) => string | undefined;
}

/**
 * Runs every rule (schema, references, policy) over a whole tree. A finding is waived only by an
 * `exempt.policy/<RULE-ID>` annotation with a non-empty reason on the object at fault.
 */
export function validateTree(objects: readonly TreeObject[], options: ValidateTreeOptions = {}): ValidationReport {
  const { rules = RULES, isProtected = (name: string) => isProtectedByDefault({ name }), sourceText } = options;
  const byKind = new Map<string, TreeObject[]>();
  const byName = new Map<string, TreeObject>();
  const nameKey = (kind: string, name: unknown, environment: string, namespace: unknown) =>
    `${kind}\u0000${String(name)}\u0000${environment}\u0000${String(namespace ?? '')}`;
  for (const o of objects) {
    const list = byKind.get(o.manifest.kind) ?? [];
    list.push(o);
    byKind.set(o.manifest.kind, list);
    const key = nameKey(o.manifest.kind, o.manifest.metadata?.name, o.environment, o.manifest.metadata?.namespace);
    if (!byName.has(key)) byName.set(key, o);
  }
  const workloads = workloadsOf(objects);
  const findings: Finding[] = [];
  const exemptions: Exemption[] = [];
  let rule: Rule = rules[0]!;
  const ctx: RuleContext = {
    objects,
    workloads,
    workloadIndex: new WorkloadIndex(workloads),
    ofKind: (kind) => byKind.get(kind) ?? [],
    isProtected,
    sourceText,
    findInNamespace: (kind, name, scope) => byName.get(nameKey(kind, name, scope.environment, scope.manifest.metadata?.namespace)),
    report(object, message) {
      const finding: Finding = {
        rule: rule.id,
        environment: object.environment,
        component: object.component,
        object: objectId(object.manifest),
        path: object.path,
        message,
        hint: rule.hint,
      };
      const reason = object.manifest.metadata?.annotations?.[`${EXEMPT_PREFIX}${rule.id}`];
      if (typeof reason === 'string' && reason.trim() !== '') exemptions.push({ ...finding, reason: reason.trim() });
      else findings.push(finding);
    },
  };
  for (rule of rules) rule.check(ctx);
  return { objects: objects.length, findings, exemptions };
}
