import { Construct } from 'constructs';
import { Environment } from '../lib/environment/environment';
import { BackendChart } from './backend-chart';
import { FrontendChart } from './frontend-chart';
import { KafkaChart } from './kafka-chart';
import { PlatformChart } from './platform-chart';

/** Adds every component chart of one environment to the app. */
export function addChatPlatform(scope: Construct, environment: Environment): void {
  const platform = new PlatformChart(scope, { environment });
  const kafka = new KafkaChart(scope, { environment, platform });
  const backend = new BackendChart(scope, { environment, platform, kafka: kafka.cluster, chatTopic: kafka.chatTopic });
  const frontend = new FrontendChart(scope, { environment, platform, backend: backend.service });
  // The frontend's nginx proxies /api and the WebSocket path to the backend.
  backend.service.allowFrom(frontend.service);
}
