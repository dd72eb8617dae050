import { EnvVar, KubeConfigMap } from '../imports/k8s';
import { HttpProbeOptions, WebServiceProps } from '../constructs/web-service';
import { EnvVarSetting, ProbeKind, WorkloadOwnership, WorkloadSettings, workloadSettingsProblems } from '../lib/environment/workload-settings';
import { fieldName } from '../lib/environment/source-map';
import { Fail } from '../lib/predicates/invalid-value';
import { externalAnnotation } from '../lib/tree/annotations';

/** What a chart gives its WebService before an environment's workload settings are applied. */
export interface WebServiceDefaults {
  /** Where the settings are in the environment file, e.g. `['components', 'backend']`; messages name fields under it. */
  readonly field: readonly string[];
  /** What the chart owns in the pods, which the settings may not change. */
  readonly ownership: WorkloadOwnership;
  /** Refuses a value, as the chart's construct errors read. */
  readonly fail: Fail;
  readonly env?: EnvVar[];
  /** The ConfigMaps the container takes whole as environment variables; their keys are the chart's too. */
  readonly envFrom?: KubeConfigMap[];
  readonly podAnnotations?: Record<string, string>;
  /** Annotations of the Deployment, where out-of-band objects are declared. */
  readonly annotations?: Record<string, string>;
  readonly readinessProbe: HttpProbeOptions;
  readonly livenessProbe: HttpProbeOptions;
  /** @default - the liveness probe's endpoint, WebService's startup timing */
  readonly startupProbe?: HttpProbeOptions;
  readonly preStopDelaySeconds: number;
  readonly terminationGracePeriodSeconds: number;
}

/** The WebService props an environment's workload settings decide. */
export type WebServiceSettingsProps = Required<
  Pick<WebServiceProps, 'readinessProbe' | 'livenessProbe' | 'preStopDelaySeconds' | 'terminationGracePeriodSeconds'>
> &
  Pick<WebServiceProps, 'env' | 'podAnnotations' | 'podLabels' | 'nodeSelector' | 'tolerations' | 'nodeAffinity' | 'annotations' | 'startupProbe'>;

/**
 * The chart's WebService props with the workload settings applied: extra env after the chart's,
 * the Secrets and ConfigMaps it refers to declared as created out of band, pod labels and
 * annotations beside the chart's, scheduling, stop timing, and probes changed field by field. A
 * prop the settings do not name is the chart's, as given: without settings the props are exactly
 * `defaults`'.
 *
 * Refuses what the environment loader refuses (the same checks, for environments built in code),
 * and any env name the chart's own env or ConfigMaps set, even one `ownership` does not list.
 */
export function webServiceSettingsProps(settings: WorkloadSettings, defaults: WebServiceDefaults): WebServiceSettingsProps {
  const problem = workloadSettingsProblems(settings, defaults.field, defaults.ownership)[0];
  if (problem !== undefined) defaults.fail(fieldName(problem.segments), problem.value, problem.allowed);
  const extraEnv = settings.env ?? [];
  refuseChartEnv(extraEnv, defaults);

  const startupProbe = settings.probes?.startup !== undefined
    ? merged(defaults.startupProbe ?? { path: defaults.livenessProbe.path, port: defaults.livenessProbe.port }, settings, 'startup')
    : defaults.startupProbe;
  const declarations = externalDeclarations(extraEnv, defaults);
  const annotations = defaults.annotations !== undefined || Object.keys(declarations).length > 0 ? { ...(defaults.annotations ?? {}), ...declarations } : undefined;
  const podAnnotations = { ...(defaults.podAnnotations ?? {}), ...(settings.podAnnotations ?? {}) };
  const env = [...(defaults.env ?? []), ...extraEnv.map(envVar)];
  return {
    readinessProbe: merged(defaults.readinessProbe, settings, 'readiness'),
    livenessProbe: merged(defaults.livenessProbe, settings, 'liveness'),
    ...(startupProbe !== undefined ? { startupProbe } : {}),
    preStopDelaySeconds: settings.preStopDelaySeconds ?? defaults.preStopDelaySeconds,
    terminationGracePeriodSeconds: settings.terminationGracePeriodSeconds ?? defaults.terminationGracePeriodSeconds,
    ...(env.length > 0 ? { env } : {}),
    ...(defaults.podAnnotations !== undefined || settings.podAnnotations !== undefined ? { podAnnotations } : {}),
    ...(annotations !== undefined ? { annotations } : {}),
    ...(settings.podLabels ? { podLabels: { ...settings.podLabels } } : {}),
    ...(settings.nodeSelector ? { nodeSelector: { ...settings.nodeSelector } } : {}),
    ...(settings.tolerations?.length ? { tolerations: settings.tolerations.map((t) => ({ ...t })) } : {}),
    ...(settings.affinity?.nodeAffinity ? { nodeAffinity: structuredClone(settings.affinity.nodeAffinity) as WebServiceProps['nodeAffinity'] } : {}),
  };
}

/** A probe of the chart's with the fields the settings give; the others keep the chart's. */
function merged(probe: HttpProbeOptions, settings: WorkloadSettings, kind: ProbeKind): HttpProbeOptions {
  const given = settings.probes?.[kind];
  if (given === undefined) return probe;
  const fields = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...probe, ...fields } as HttpProbeOptions;
}

function envVar(setting: EnvVarSetting): EnvVar {
  if (setting.value !== undefined) return { name: setting.name, value: setting.value };
  const { secretKeyRef: secret, configMapKeyRef: configMap } = setting.valueFrom ?? {};
  return secret
    ? { name: setting.name, valueFrom: { secretKeyRef: { name: secret.name, key: secret.key } } }
    : { name: setting.name, valueFrom: { configMapKeyRef: { name: configMap!.name, key: configMap!.key } } };
}

/**
 * A variable the chart sets in the container, from its `env` or a key of a ConfigMap it takes
 * whole, is refused even when `ownership` does not list it: a variable in `env` wins over one from
 * `envFrom`, and of two in `env` only one is the container's.
 */
function refuseChartEnv(extra: readonly EnvVarSetting[], defaults: WebServiceDefaults): void {
  const chart = new Map<string, string>();
  for (const v of defaults.env ?? []) chart.set(v.name.toUpperCase(), `${v.name}, in the container's env`);
  for (const cm of defaults.envFrom ?? []) {
    const data = (cm.toJson() as { data?: Record<string, string> }).data ?? {};
    for (const key of Object.keys(data)) chart.set(key.toUpperCase(), `${key}, a key of ConfigMap ${cm.name} the container takes whole`);
  }
  extra.forEach((setting, i) => {
    const set = chart.get(setting.name.toUpperCase());
    if (set !== undefined) {
      defaults.fail(fieldName([...defaults.field, 'env', String(i), 'name']), setting.name, `a name the chart does not set: the chart sets ${set}; overriding it would break what the chart configures with it`);
    }
  });
}

/**
 * The external-object annotations of the Secrets and ConfigMaps the extra env refers to, each
 * naming the variables that read it. An object the chart already declares keeps the chart's reason.
 */
function externalDeclarations(extra: readonly EnvVarSetting[], defaults: WebServiceDefaults): Record<string, string> {
  const readers = new Map<string, string[]>();
  for (const setting of extra) {
    const { secretKeyRef: secret, configMapKeyRef: configMap } = setting.valueFrom ?? {};
    const ref = secret ? { kind: 'Secret', ...secret } : configMap ? { kind: 'ConfigMap', ...configMap } : undefined;
    if (!ref) continue;
    const annotation = externalAnnotation(ref.kind, ref.name);
    if (defaults.annotations?.[annotation] !== undefined) continue;
    readers.set(annotation, [...(readers.get(annotation) ?? []), `${setting.name} (key ${ref.key})`]);
  }
  return Object.fromEntries(
    [...readers].map(([annotation, names]) => [
      annotation,
      `read by ${fieldName([...defaults.field, 'env'])} ${names.join(', ')}; created out of band in the namespace`,
    ]),
  );
}
