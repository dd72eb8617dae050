import { Construct } from 'constructs';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { ComponentChart, ComponentChartProps, PART_OF } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface FrontendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
}

/** The ingress-nginx controller pods, the only way in from outside the cluster. */
const INGRESS_CONTROLLER = { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } };

/** UID of the unprivileged nginx images (`nginx` user). */
const NGINX_UID = 101;

/** The single-page app, served by an unprivileged nginx on 8080. */
export class FrontendChart extends ComponentChart {
  public readonly service: WebService;

  constructor(scope: Construct, props: FrontendChartProps) {
    super(scope, 'frontend', props);
    const env = props.environment;
    const settings = env.components.frontend;
    this.service = new WebService(this, 'Service', {
      name: 'frontend',
      namespace: env.namespace,
      image: settings.image,
      version: imageVersion(settings.image),
      partOf: PART_OF,
      component: 'web',
      containerPort: 8080,
      servicePort: 80,
      readinessProbe: { path: '/' },
      livenessProbe: { path: '/' },
      replicas: settings.replicas,
      cpuTargetPercent: settings.cpuTargetPercent,
      resources: settings.resources,
      runAsUser: NGINX_UID,
      // nginx writes its pid, temp files and caches here.
      writablePaths: ['/tmp', '/var/cache/nginx'],
      imagePullSecrets: [env.imagePullSecret],
      annotations: props.platform.externalObjects,
      priorityClassName: props.platform.priorityClassName,
    });
    this.service.allowFromNamespace('ingress-controller', INGRESS_CONTROLLER);
  }
}
