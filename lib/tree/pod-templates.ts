/**
 * Where each kind that makes pods keeps its pod template (a Pod is its own): what validation,
 * the policy rules and the diff's rollout analysis all read pods through.
 */
export const POD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  ReplicationController: ['spec', 'template'],
  PodTemplate: ['template'],
  Pod: [],
};

/** The pod template of a manifest (the Pod itself for a Pod); undefined for other kinds or when absent. */
export function podTemplateOf(manifest: Record<string, any>): Record<string, any> | undefined {
  const segments = POD_TEMPLATE_PATHS[manifest.kind];
  if (segments === undefined) return undefined;
  let node: any = manifest;
  for (const s of segments) node = node?.[s];
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? node : undefined;
}

/** The field path of a kind's pod spec as findings name it: `spec.template.spec`, or `spec` for a Pod. */
export function podSpecPath(kind: string): string {
  return podTemplateFieldPath(kind, 'spec');
}

/** The field path of its pods' labels: `spec.template.metadata.labels`, or `metadata.labels` for a Pod. */
export function podLabelsPath(kind: string): string {
  return podTemplateFieldPath(kind, 'metadata.labels');
}

function podTemplateFieldPath(kind: string, field: string): string {
  return [...(POD_TEMPLATE_PATHS[kind] ?? ['spec', 'template']), field].join('.');
}
