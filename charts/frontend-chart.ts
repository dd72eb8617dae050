import { Construct } from 'constructs';
import { WebService } from '../constructs/web-service';
import { imageVersion } from '../lib/environment/image-reference';
import { ComponentChart, ComponentChartProps, PART_OF } from './component-chart';
import { PlatformChart } from './platform-chart';

export interface FrontendChartProps extends ComponentChartProps {
  readonly platform: PlatformChart;
}

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
      priorityClassName: props.platform.priorityClassName,
    });
  }
}
