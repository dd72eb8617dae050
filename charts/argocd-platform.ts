import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoClusterResource, ArgoDestination, ArgoResourceKind } from '../constructs/argo-project';
import { apiGroupOf, isClusterScoped } from '../lib/tree/cluster-scoped-kinds';
import { GitopsConfig } from '../lib/environment/gitops-config';
import { Environment } from '../lib/environment/environment';
import { ArgoCdAppsChart } from './argocd-apps-chart';
import { ArgoCdBootstrapChart } from './argocd-bootstrap-chart';
import { ComponentChart } from './component-chart';

export interface ArgoCdProps {
  readonly environments: readonly Environment[];
  readonly gitops: GitopsConfig;
}

/**
 * Adds the Argo CD objects that deploy the component charts already in `scope`: the bootstrap
 * chart and one apps chart per environment. Components, and the kinds and cluster-scoped objects
 * the project grants, are read from the component charts themselves, so a new component (or a new
 * kind in one) is deployed and granted with no change here.
 */
export function addArgoCd(scope: Construct, props: ArgoCdProps): void {
  // Nothing to deploy: a project granting no destination would be meaningless.
  if (props.environments.length === 0) return;

  const charts = scope.node.findAll().filter(ComponentChart.isComponentChart);
  const componentsOf = new Map<string, string[]>();
  const clusterResources: ArgoClusterResource[] = [];
  const namespacedKinds: ArgoResourceKind[] = [];
  for (const chart of charts) {
    const list = componentsOf.get(chart.environment.name) ?? [];
    if (!list.includes(chart.component)) list.push(chart.component);
    componentsOf.set(chart.environment.name, list);
    for (const child of chart.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const group = apiGroupOf(child.apiVersion);
      if (isClusterScoped(group, child.kind)) clusterResources.push({ group, kind: child.kind, name: child.name });
      else namespacedKinds.push({ group, kind: child.kind });
    }
  }

  const destinations: ArgoDestination[] = props.environments.flatMap((env) =>
    env.clusters.map((cluster) => ({ server: cluster.server, namespace: env.namespace })),
  );
  const directories = [...new Set(props.environments.map((e) => path.posix.dirname(e.file)))].sort();
  const bootstrap = new ArgoCdBootstrapChart(scope, {
    gitops: props.gitops,
    destinations,
    clusterResources,
    namespacedKinds,
    environmentsSource: directories.map((d) => `${d}/*.yaml`).join(' and '),
  });
  for (const environment of props.environments) {
    new ArgoCdAppsChart(scope, {
      environment,
      components: componentsOf.get(environment.name) ?? [],
      gitops: props.gitops,
      project: bootstrap.project,
      notifications: bootstrap.notifications,
    });
  }
}
