import { Construct } from 'constructs';
import { allowFlow } from '../constructs/network-flow';
import { WebService } from '../constructs/web-service';
import { Environment } from '../lib/environment/environment';
import { serviceFlows, serviceNames, servicesCalledBy } from '../lib/environment/service-settings';
import { BackendChart } from './backend-chart';
import { FrontendChart } from './frontend-chart';
import { KafkaChart } from './kafka-chart';
import { PlatformChart } from './platform-chart';
import { ServiceChart } from './service-chart';

/** Adds every component chart of one environment to the app. */
export function addChatPlatform(scope: Construct, environment: Environment): void {
  const platform = new PlatformChart(scope, { environment });
  const kafka = new KafkaChart(scope, { environment, platform });
  const backend = new BackendChart(scope, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
  const services = new Map<string, ServiceChart>();
  const serviceOf = (name: string): WebService => {
    const chart = services.get(name);
    if (!chart) throw new Error(`${environment.file}: no service ${JSON.stringify(name)}; declared: ${[...services.keys()].join(', ') || '(none)'}`);
    return chart.service;
  };
  for (const name of serviceNames(environment)) {
    services.set(name, new ServiceChart(scope, { environment, platform, name, kafka: kafka.cluster, database: backend.database, backend: backend.service, services: serviceOf }));
  }
  // The backend is told where each service that admits it as a caller is found.
  for (const name of servicesCalledBy('backend', environment.services)) backend.callService(serviceOf(name));
  const frontend = new FrontendChart(scope, {
    environment,
    platform,
    backend: backend.service,
    serviceRoutes: [...services.values()]
      .filter((chart) => chart.settings.proxyPath !== undefined)
      .map((chart) => ({ pathPrefix: chart.settings.proxyPath!, upstream: chart.service })),
  });
  // The frontend's nginx proxies /api and the WebSocket path to the backend.
  backend.service.allowFrom(frontend.service);
  // What the services declare, both ends of each path: the caller's egress, the callee's ingress.
  const peer = (name: string): WebService => (name === 'backend' ? backend.service : name === 'frontend' ? frontend.service : serviceOf(name));
  for (const flow of serviceFlows(environment)) allowFlow(peer(flow.from), peer(flow.to));
}
