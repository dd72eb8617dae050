import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { ComponentChart } from '../charts/component-chart';
import { PlatformChart } from '../charts/platform-chart';
import { ArgoApplication } from '../constructs/argo-application';
import { ArgoProject } from '../constructs/argo-project';
import { WebService } from '../constructs/web-service';
import { GitopsConfig } from '../lib/environment/gitops-config';
import { Environment, isProtected } from '../lib/environment/environment';
import { imageVersion } from '../lib/environment/image-reference';
import { TreeChart } from '../charts/tree-chart';
import { applicationsFolder, BOOTSTRAP_FOLDER, componentFolder, sourcePathOf } from '../lib/tree/layout';

/** One stateless service of a synthetic environment: the same construct the backend uses. */
class SyntheticServiceChart extends ComponentChart {
  constructor(scope: Construct, environment: Environment, platform: PlatformChart, name: string) {
    super(scope, name, { environment });
    const settings = environment.components.backend;
    const service = new WebService(this, 'Service', {
      name,
      image: settings.image,
      version: imageVersion(settings.image),
      readinessProbe: { path: '/ready' },
      livenessProbe: { path: '/live' },
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      imagePullSecrets: [environment.imagePullSecret],
      annotations: platform.externalObjects,
      priorityClassName: platform.priorityClassName,
    });
    service.allowFromNamespace('ingress-controller', { namespace: 'ingress-nginx' });
  }
}

class SyntheticArgoChart extends TreeChart {
  constructor(scope: Construct, id: string, treePath: string, source: string) {
    super(scope, id, { treePath, sources: [source] });
  }
}

/** The namespaced kinds a synthetic service and its namespace hold, with their API groups. */
const SERVICE_KINDS: Readonly<Record<string, string>> = {
  Deployment: 'apps',
  Service: '',
  HorizontalPodAutoscaler: 'autoscaling',
  PodDisruptionBudget: 'policy',
  ServiceAccount: '',
  NetworkPolicy: 'networking.k8s.io',
  LimitRange: '',
};

/** `svc-0001` … : names sort in creation order, so output order is obvious in a diff. */
export function serviceName(index: number): string {
  return `svc-${String(index + 1).padStart(4, '0')}`;
}

/**
 * A cdk8s app with `services` stateless services per environment, each a Deployment, Service,
 * HorizontalPodAutoscaler, PodDisruptionBudget, ServiceAccount and NetworkPolicy in its own
 * component folder, deployed by its own Argo CD Application; plus each environment's platform
 * chart and one AppProject. It goes through the same render, validation and writer as the real
 * tree, so it measures how they scale.
 */
export function buildSyntheticApp(environments: readonly Environment[], services: number, gitops: GitopsConfig): App {
  const app = new App();
  const names = Array.from({ length: services }, (_, i) => serviceName(i));
  for (const environment of environments) {
    const platform = new PlatformChart(app, { environment });
    for (const name of names) new SyntheticServiceChart(app, environment, platform, name);
  }
  const bootstrap = new SyntheticArgoChart(app, 'bench-bootstrap', BOOTSTRAP_FOLDER, gitops.file);
  const project = new ArgoProject(bootstrap, 'Project', {
    name: 'bench',
    sourceRepos: [gitops.repository.url],
    destinations: environments.map((e) => ({ server: e.clusters[0]!.server, namespace: e.namespace })),
    namespacedKinds: Object.entries(SERVICE_KINDS).map(([kind, group]) => ({ group, kind })),
  });
  for (const environment of environments) {
    const apps = new SyntheticArgoChart(app, `bench-apps-${environment.name}`, applicationsFolder(environment.name), environment.file);
    for (const name of names) {
      new ArgoApplication(apps, name, {
        name: `${environment.name}-${name}`,
        project,
        repository: gitops.repository,
        folders: [{ path: sourcePathOf(componentFolder(environment.name, name)) }],
        destination: { server: environment.clusters[0]!.server, namespace: environment.namespace },
        protectFromDeletion: isProtected(environment),
      });
    }
  }
  return app;
}
