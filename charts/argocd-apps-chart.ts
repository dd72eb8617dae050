import { Construct } from 'constructs';
import { ArgoApplication } from '../constructs/argo-application';
import { ArgoDiscordNotifications } from '../constructs/argo-discord-notifications';
import { ArgoProject } from '../constructs/argo-project';
import { GitopsConfig } from '../lib/environment/gitops-config';
import { Environment, isProtected } from '../lib/environment/environment';
import { CLUSTER_ANNOTATION } from '../lib/tree/annotations';
import { TreeChart } from './tree-chart';
import { applicationsFolder, componentFolder, sourcePathOf } from '../lib/tree/layout';
import { ENVIRONMENT_LABEL } from './argocd-bootstrap-chart';

/**
 * The order in which a sync of the root brings an environment's components up: the namespace and
 * its guard rails, then Kafka, then the backend that needs Kafka, then the frontend that proxies
 * to the backend. A component missing here stops synth, so that a new one is placed deliberately.
 */
export const COMPONENT_SYNC_WAVES: Readonly<Record<string, number>> = {
  platform: 0,
  kafka: 1,
  backend: 2,
  frontend: 3,
};

/**
 * The wave of every service of an environment's `services:`: the backend's. After the platform
 * (its policies, PriorityClass and limits) and Kafka, which a service may be a client of; before
 * the frontend, whose nginx resolves every upstream's name once, when it starts, and does not start
 * while one is missing ("host not found in upstream"), so a service it proxies to must exist first.
 * Beside the backend rather than after it: a service calling the backend and the backend calling a
 * service are both clients that retry, and one wave keeps the frontend's wave where it is.
 */
export const SERVICE_SYNC_WAVE = COMPONENT_SYNC_WAVES.backend!;

/** The wave of a component of `env`: a built-in one's, or a declared service's. */
export function syncWaveOf(env: Pick<Environment, 'services'>, component: string): number | undefined {
  return COMPONENT_SYNC_WAVES[component] ?? (Object.prototype.hasOwnProperty.call(env.services ?? {}, component) ? SERVICE_SYNC_WAVE : undefined);
}

export interface ArgoCdAppsChartProps {
  readonly environment: Environment;
  /** The environment's components, as the component charts of the app name them. */
  readonly components: readonly string[];
  readonly gitops: GitopsConfig;
  readonly project: ArgoProject;
  readonly notifications: ArgoDiscordNotifications;
}

/**
 * `gitops/apps/<env>/`: one Application per component of the environment and per cluster it
 * targets, each syncing `gitops/envs/<env>/<component>/` automatically.
 *
 * One Application per cluster (rather than an ApplicationSet) keeps every deployed thing a plain,
 * reviewable file: sync waves, health, notifications and the path check apply to each one as to
 * any other Application, and `git diff` shows exactly which cluster gains or loses what.
 */
export class ArgoCdAppsChart extends TreeChart {
  public readonly applications: ArgoApplication[] = [];

  constructor(scope: Construct, props: ArgoCdAppsChartProps) {
    const env = props.environment;
    super(scope, `argocd-apps-${env.name}`, { treePath: applicationsFolder(env.name), sources: [env.file, props.gitops.file] });

    const unplaced = props.components.filter((c) => syncWaveOf(env, c) === undefined);
    this.node.addValidation({
      validate: () =>
        unplaced.map(
          (c) =>
            `component "${c}" of environment ${env.name} has no sync wave; allowed: ${Object.keys(COMPONENT_SYNC_WAVES).join(', ')} ` +
            'and the services of the environment file (add it to COMPONENT_SYNC_WAVES in charts/argocd-apps-chart.ts)',
        ),
    });

    // A protected environment's Applications neither cascade nor go without a person's word:
    // pruned from the root, one leaves its objects running, and the root waits for a
    // confirmation in Argo CD before it prunes one at all.
    const guarded = isProtected(env);
    for (const component of props.components) {
      for (const [index, cluster] of env.clusters.entries()) {
        // The first cluster's Applications keep the plain name, so adding a cluster to an
        // environment never renames (and, through the finalizer, deletes and re-creates) what
        // already runs; each further cluster's Applications carry its name.
        const name = index === 0 ? `${env.name}-${component}` : `${env.name}-${component}-${cluster.name}`;
        this.applications.push(
          new ArgoApplication(this, name, {
            name,
            project: props.project,
            repository: props.gitops.repository,
            folders: [{ path: sourcePathOf(componentFolder(env.name, component)) }],
            destination: { server: cluster.server, namespace: env.namespace },
            syncWave: syncWaveOf(env, component) ?? 0,
            notifications: { config: props.notifications, events: ['sync-succeeded', 'sync-failed', 'health-degraded'] },
            protectFromDeletion: guarded,
            annotations: { [CLUSTER_ANNOTATION]: cluster.name },
            // part-of and managed-by come from the chart.
            labels: { 'app.kubernetes.io/component': component, [ENVIRONMENT_LABEL]: env.name },
          }),
        );
      }
    }
  }
}
