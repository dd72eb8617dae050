import { Construct } from 'constructs';
import { PROTECTED_FROM_DELETION, RESOURCES_FINALIZER } from '../lib/tree/deletion';
import { Application, ApplicationSpecSources } from '../imports/argoproj.io-application-argoproj.io';
import { dns1123SubdomainProblem } from '../lib/predicates/dns-names';
import { failFor } from '../lib/predicates/invalid-value';
import { ArgoDiscordNotifications, ArgoNotificationEvent } from './argo-discord-notifications';
import { ArgoDestination, ArgoProject } from './argo-project';
import { SYNC_WAVE_ANNOTATION } from '../lib/tree/annotations';

/** A git repository and the revision Applications track in it. */
export interface ArgoRepository {
  /** The URL Argo CD clones. */
  readonly url: string;
  /** Branch, tag or commit SHA. */
  readonly targetRevision: string;
}

/** One folder of plain manifests in the repository. */
export interface ArgoSourceFolder {
  /** Folder relative to the repository root, without leading or trailing "/". */
  readonly path: string;
  /**
   * Read the manifests of sub-folders too.
   * @default false
   */
  readonly recurse?: boolean;
  /**
   * Glob of files to leave out, relative to `path`.
   * @default - none
   */
  readonly exclude?: string;
}

/** How Argo CD retries a failed sync. */
export interface ArgoRetry {
  /** Attempts after the first. */
  readonly limit: number;
  /** Wait before the first retry, e.g. `10s`. */
  readonly duration: string;
  /** Multiplier of the wait after each failed retry. */
  readonly factor: number;
  /** Longest wait between two attempts, e.g. `3m`. */
  readonly maxDuration: string;
}

export interface ArgoApplicationProps {
  /** Name of the Application (a DNS-1123 subdomain), unique in Argo CD's namespace. */
  readonly name: string;
  /** The project the Application belongs to; it must permit the repository and the destination. */
  readonly project: ArgoProject;
  readonly repository: ArgoRepository;
  /** The folders the Application syncs; several make a multi-source Application. At least one. */
  readonly folders: readonly ArgoSourceFolder[];
  readonly destination: ArgoDestination;
  /**
   * `argocd.argoproj.io/sync-wave`: the order in which the Application is applied by a parent
   * (app of apps) sync, lower first.
   * @default - none (wave 0)
   */
  readonly syncWave?: number;
  /**
   * Deleting the Application deletes the objects it deployed (the resources finalizer), so that
   * removing an Application from git leaves nothing orphaned in the cluster.
   * @default true
   */
  readonly cascadeDelete?: boolean;
  /**
   * Removing the Application takes a person's word: it carries no resources finalizer (deleted,
   * it leaves its objects running) and the sync options `Delete=false,Prune=confirm`, so the
   * Application that manages it (an app of apps) prunes it only once someone confirms in Argo CD.
   * Implies `cascadeDelete: false`.
   * @default false
   */
  readonly protectFromDeletion?: boolean;
  /**
   * Sync options. The default suits a folder whose Namespace another Application creates:
   * `CreateNamespace=false` (Argo CD must not create it without its labels), `PruneLast=true`
   * (remove what git dropped only once everything else is applied and healthy) and
   * `FailOnSharedResource=true` (refuse to take over an object another Application manages).
   * @default ['CreateNamespace=false', 'FailOnSharedResource=true', 'PruneLast=true']
   */
  readonly syncOptions?: readonly string[];
  /**
   * Retries of a failed sync, with exponential backoff; each retry syncs the newest revision, so a
   * fix pushed meanwhile is what gets retried (`retry.refresh`, Argo CD 3.2.0 and later: validation
   * rule `ARGO-VERSION-FLOOR`).
   * @default - 5 retries, waiting 10s, 20s, 40s, 80s, 160s (capped at 3m)
   */
  readonly retry?: ArgoRetry;
  /**
   * Discord notifications and the events this Application is subscribed to.
   * @default - no subscription
   */
  readonly notifications?: { readonly config: ArgoDiscordNotifications; readonly events: readonly ArgoNotificationEvent[] };
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}


const DEFAULT_SYNC_OPTIONS = ['CreateNamespace=false', 'FailOnSharedResource=true', 'PruneLast=true'];
const DEFAULT_RETRY: ArgoRetry = { limit: 5, duration: '10s', factor: 2, maxDuration: '3m' };
const FOLDER = /^[^/\s](?:[^\s]*[^/\s])?$/;
const DURATION = /^[0-9]+(?:s|m|h)$/;

/**
 * An Argo CD Application that keeps folders of plain manifests synced, automatically: it prunes
 * what git dropped, reverts drift (self-heal), never syncs to an empty set of objects, and retries
 * failed syncs with backoff.
 */
export class ArgoApplication extends Construct {
  public readonly name: string;
  public readonly project: ArgoProject;
  public readonly destination: ArgoDestination;
  public readonly folders: readonly ArgoSourceFolder[];
  public readonly apiObject: Application;

  constructor(scope: Construct, id: string, props: ArgoApplicationProps) {
    super(scope, id);
    const fail = failFor('ArgoApplication', props.name);
    const nameProblem = dns1123SubdomainProblem(props.name);
    if (nameProblem !== undefined) fail('name', props.name, nameProblem);
    if (props.folders.length === 0) fail('folders', props.folders, 'at least one folder');
    props.folders.forEach((folder, i) => {
      if (!FOLDER.test(folder.path)) fail(`folders[${i}].path`, folder.path, 'a folder relative to the repository root, without leading or trailing "/"');
    });
    if (props.syncWave !== undefined && !Number.isInteger(props.syncWave)) fail('syncWave', props.syncWave, 'an integer');
    if (props.protectFromDeletion && props.cascadeDelete) {
      fail('cascadeDelete', props.cascadeDelete, 'false or unset with protectFromDeletion: true (a protected Application never cascades)');
    }
    if (props.folders.length > 1 && props.notifications?.events.includes('sync-succeeded')) {
      // The trigger sends once per syncResult.revision, which Argo CD leaves empty when there are
      // several sources (their revisions are in syncResult.revisions): only the first success of
      // such an Application would ever be announced.
      fail('notifications.events', props.notifications.events, 'sync-failed and health-degraded for an Application of several folders (sync-succeeded is sent once per syncResult.revision, which is empty for several sources)');
    }
    const cascade = props.cascadeDelete ?? !props.protectFromDeletion;
    const retry = props.retry ?? DEFAULT_RETRY;
    if (!Number.isInteger(retry.limit) || retry.limit < 1) fail('retry.limit', retry.limit, 'an integer of at least 1');
    if (!Number.isInteger(retry.factor) || retry.factor < 1) fail('retry.factor', retry.factor, 'an integer of at least 1');
    for (const key of ['duration', 'maxDuration'] as const) {
      if (!DURATION.test(retry[key])) fail(`retry.${key}`, retry[key], 'a whole number of s, m or h, e.g. "10s"');
    }

    this.name = props.name;
    this.project = props.project;
    this.destination = props.destination;
    this.folders = props.folders;
    // The project is another construct: whether it grants this Application is a question for
    // synth time, once both are complete.
    this.node.addValidation({
      validate: () => [
        ...(props.project.permitsDestination(props.destination)
          ? []
          : [`destination ${props.destination.server} namespace ${props.destination.namespace} is not a destination of project "${props.project.name}"`]),
        ...(props.project.permitsSource(props.repository.url)
          ? []
          : [`repository ${props.repository.url} is not a source repository of project "${props.project.name}"`]),
      ],
    });

    const annotations: Record<string, string> = {
      ...(props.syncWave !== undefined ? { [SYNC_WAVE_ANNOTATION]: String(props.syncWave) } : {}),
      ...(props.notifications ? props.notifications.config.subscriptions(props.notifications.events) : {}),
      ...(props.protectFromDeletion ? PROTECTED_FROM_DELETION : {}),
      ...props.annotations,
    };
    const sources: ApplicationSpecSources[] = props.folders.map((folder) => ({
      repoUrl: props.repository.url,
      targetRevision: props.repository.targetRevision,
      path: folder.path,
      ...(folder.recurse || folder.exclude
        ? { directory: { ...(folder.recurse ? { recurse: true } : {}), ...(folder.exclude ? { exclude: folder.exclude } : {}) } }
        : {}),
    }));
    this.apiObject = new Application(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.project.argoNamespace,
        ...(props.labels ? { labels: props.labels } : {}),
        ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        ...(cascade ? { finalizers: [RESOURCES_FINALIZER] } : {}),
      },
      spec: {
        project: props.project.name,
        ...(sources.length === 1 ? { source: sources[0] } : { sources }),
        destination: { server: props.destination.server, namespace: props.destination.namespace },
        syncPolicy: {
          automated: { prune: true, selfHeal: true, allowEmpty: false },
          syncOptions: [...(props.syncOptions ?? DEFAULT_SYNC_OPTIONS)],
          retry: {
            limit: retry.limit,
            backoff: { duration: retry.duration, factor: retry.factor, maxDuration: retry.maxDuration },
            refresh: true,
          },
        },
      },
    });
  }
}
