import { Construct } from 'constructs';
import { ArgoApplication } from '../constructs/argo-application';
import { SYNC_WAVE_ANNOTATION } from '../lib/tree/annotations';
import { ArgoDiscordNotifications } from '../constructs/argo-discord-notifications';
import { ArgoClusterResource, ArgoDestination, ArgoProject, ArgoResourceKind } from '../constructs/argo-project';
import { GitopsConfig } from '../lib/environment/gitops-config';
import { TreeChart } from './tree-chart';
import { APPS_ROOT, BOOTSTRAP_FOLDER, manifestFileName, sourcePathOf } from '../lib/tree/layout';
import { ARGOCD_MIN_VERSION_ANNOTATION } from '../lib/tree/argocd-release';

/** Argo CD's name for the cluster it runs in: where Applications, AppProjects and its ConfigMaps live. */
export const IN_CLUSTER = 'https://kubernetes.default.svc';

/** The label of an Application that names its environment; the Discord messages show it. */
export const ENVIRONMENT_LABEL = 'environment';

export interface ArgoCdBootstrapChartProps {
  readonly gitops: GitopsConfig;
  /** Every cluster and namespace an Application of the platform deploys to. */
  readonly destinations: readonly ArgoDestination[];
  /** The cluster-scoped objects the component charts hold. */
  readonly clusterResources: readonly ArgoClusterResource[];
  /** The namespaced kinds the component charts hold. */
  readonly namespacedKinds: readonly ArgoResourceKind[];
  /** Where the environments came from, for the provenance header. */
  readonly environmentsSource: string;
}

/**
 * `gitops/bootstrap/`: what is applied by hand once (README: "Bootstrapping Argo CD").
 *
 * - the platform's AppProject, granting exactly this repository, the environments' clusters and
 *   namespaces, the cluster-scoped objects the component charts create (by name) and the
 *   namespaced kinds they use;
 * - the root Application (app of apps), which syncs `gitops/apps/` and, so that a new
 *   environment's destinations or a changed notification reach Argo CD without a manual step,
 *   the rest of `gitops/bootstrap/`;
 * - the project of the root, which may only put Argo CD's own objects into Argo CD's namespace;
 * - `argocd-notifications-cm`, Discord notifications.
 *
 * The root carries the oldest Argo CD release the tree is written for (`argocd.minVersion`), so
 * that validation of the tree, at synth or later, checks every version-gated field against it.
 */
export class ArgoCdBootstrapChart extends TreeChart {
  public readonly project: ArgoProject;
  public readonly rootProject: ArgoProject;
  public readonly notifications: ArgoDiscordNotifications;
  public readonly root: ArgoApplication;

  constructor(scope: Construct, props: ArgoCdBootstrapChartProps) {
    const { gitops } = props;
    super(scope, 'argocd-bootstrap', { treePath: BOOTSTRAP_FOLDER, sources: [gitops.file, props.environmentsSource] });
    // Before any Application of the same sync: an Application whose project does not exist yet fails.
    const first = { [SYNC_WAVE_ANNOTATION]: '-1' };
    const argoNamespace = gitops.argocd.namespace;

    this.project = new ArgoProject(this, 'Project', {
      name: gitops.argocd.project,
      argoNamespace,
      description: 'The chat platform: every environment and component, from this repository only',
      sourceRepos: [gitops.repository.url],
      destinations: props.destinations,
      clusterResources: props.clusterResources,
      namespacedKinds: props.namespacedKinds,
      annotations: first,
    });

    this.rootProject = new ArgoProject(this, 'RootProject', {
      name: `${gitops.argocd.project}-bootstrap`,
      argoNamespace,
      description: "The chat platform's Argo CD objects: its Applications, AppProjects and notification settings",
      sourceRepos: [gitops.repository.url],
      destinations: [{ server: IN_CLUSTER, namespace: argoNamespace }],
      namespacedKinds: [
        { group: 'argoproj.io', kind: 'Application' },
        { group: 'argoproj.io', kind: 'AppProject' },
        { group: '', kind: 'ConfigMap' },
      ],
      annotations: first,
    });

    this.notifications = new ArgoDiscordNotifications(this, 'Notifications', {
      argoNamespace,
      argocdUrl: gitops.argocd.url,
      environmentLabel: ENVIRONMENT_LABEL,
      annotations: first,
    });

    const rootName = `${gitops.argocd.project}-root`;
    this.root = new ArgoApplication(this, 'Root', {
      name: rootName,
      project: this.rootProject,
      repository: gitops.repository,
      folders: [
        { path: sourcePathOf(APPS_ROOT), recurse: true },
        // Not itself: an Application whose resources include itself waits on its own health.
        { path: sourcePathOf(BOOTSTRAP_FOLDER), exclude: manifestFileName('Application', rootName) },
      ],
      destination: { server: IN_CLUSTER, namespace: argoNamespace },
      // Deleting the root must never cascade into every environment's workloads.
      cascadeDelete: false,
      syncOptions: ['FailOnSharedResource=true', 'PruneLast=true'],
      notifications: { config: this.notifications, events: ['sync-failed'] },
      annotations: { [ARGOCD_MIN_VERSION_ANNOTATION]: gitops.argocd.minVersion },
      labels: { [ENVIRONMENT_LABEL]: 'all' },
    });
  }
}
