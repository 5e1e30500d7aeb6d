// Entry point of the webhook: load config, load the bundle (a directory, or a remote source
// polled by src/bundles), serve HTTPS, reload on change, drain on SIGTERM.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import { readVerification } from './bundles/archive';
import { BundleCache } from './bundles/cache';
import { openSource } from './bundles/open-source';
import { BundlePoller } from './bundles/poller';
import { AutoTlsManager } from './certs/auto-tls';
import { loadCertFiles, staticServingCert, type ServingCert } from './certs/serving-cert';
import { configSource, loadConfig, type ConfigSource } from './config/load';
import type { Config } from './config/schema';
import { describeThrown } from './errors';
import { startGatekeeper, type GatekeeperMode } from './gatekeeper/controller/start';
import { startInventorySync } from './gatekeeper/sync';
import { watchNamespaces, type NamespaceWatch } from './kube/namespace-watch';
import { createLogger } from './logger';
import { podSpecCache } from './policy/pod-spec-cache';
import { PolicyRuntime } from './policy/policy-runtime';
import { needsNamespaceWatch } from './policy/snapshot';
import { buildServer, replaceCertificate, type App } from './server/build-server';
import type { ServerDeps } from './server/deps';
import { drainOnSignal } from './server/drain';
import { Metrics } from './server/metrics';
import { watchFiles } from './watch-files';
import { startAudit, type AuditDeps } from './audit/start-audit';
import { denialEvents } from './kube/denial-events';

const USAGE = `Usage: palisade-webhook [--config FILE] [--port N] [--host ADDR] [--bundle DIR]
  --config FILE  webhook config (YAML); default: built-in defaults (docs/configuration.md)
  --port N       HTTPS port (default 8443)
  --host ADDR    address to listen on (default 127.0.0.1)
  --bundle SRC   policy bundle: a directory, oci://HOST/REPO:TAG or https://URL
                 (default dist/bundle; bundle.* in the config sets polling and keys)`;

const WATCH_INTERVAL_MS = 1000;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      bundle: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  const source = configSource({
    config: values.config,
    port,
    host: values.host,
    bundle: values.bundle,
  });
  const config = await loadConfig(source);
  const logger = createLogger(config.logLevel as 'info');
  const metrics = new Metrics({ processMetrics: true });
  const { runtime, poller } = await startPolicies(config, logger, metrics);
  metrics.watchPodSpecCache(() => podSpecCache(runtime.snapshot));
  // Gatekeeper's API (docs/gatekeeper.md "In the cluster"): templates compiled and constraints
  // set before Palisade listens; refused (exit 3, one fatal line) while Gatekeeper is installed.
  let gatekeeper: GatekeeperMode | undefined;
  if (config.gatekeeper.enabled) {
    try {
      gatekeeper = await startGatekeeper(config, runtime, logger);
    } catch (err) {
      logger.fatal({ code: (err as { code?: string }).code }, describeThrown(err));
      await runtime.close();
      return 3;
    }
  }
  // data.inventory (docs/gatekeeper.md "Inventory"): watches of the synced kinds, handed to the
  // evaluators once per change and kept across reloads.
  const inventory = await startInventorySync(config, runtime, logger, {
    onSize: (n) => metrics.inventoryObjects.set(n),
    onDropped: (n) => metrics.inventoryDropped.inc(n),
  });
  const { auto } = config.server.tls;
  const autoTls = auto
    ? await AutoTlsManager.create(
        { ...auto, kubeconfig: auto.kubeconfig ?? config.kubernetes.kubeconfig },
        { logger },
      )
    : undefined;
  const tls = autoTls ? await autoTls.start() : staticServingCert(config.server);
  let draining = false;
  const deps: ServerDeps = {
    snapshots: runtime,
    metrics,
    logger,
    isReady: () => !draining,
    notReadyReason: () => runtime.unavailable,
  };
  // events.denials (docs/configuration.md): a Warning Event on the namespace of each denial.
  const denials = config.events.denials
    ? await denialEvents({
        kubeconfig: config.kubernetes.kubeconfig,
        instance: process.env.POD_NAME ?? hostname(),
        logger,
      })
    : undefined;
  if (denials) deps.onDenied = (d) => denials.record(d);
  const namespaces = namespaceWatcher(runtime, deps, config.kubernetes.kubeconfig);
  await namespaces.update();
  runtime.on('reloaded', () => void namespaces.update());
  const app = await buildServer(deps, {
    tls,
    keepAliveTimeoutMs: config.server.keepAliveTimeoutMs,
    requestTimeoutMs: config.server.requestTimeoutMs,
  });
  await app.listen({ host: config.server.host, port: config.server.port });
  const stopFiles = config.watch ? watchAll(source, config, app, runtime, deps) : () => undefined;
  // tls.mode auto checks its Secret and caBundle whatever `watch` says: renewal is not optional.
  const stopAutoTls = autoTls ? watchAutoTls(autoTls, app, deps) : () => undefined;
  // The background audit (src/audit, docs/audit.md): one replica at a time, on a Lease.
  const audit = config.audit.enabled
    ? await startAudit(config, auditDeps(runtime, deps))
    : undefined;
  const stopWatching = () => {
    stopFiles();
    stopAutoTls();
    void poller?.stop();
    // At the signal, not after the drain: the Lease is released so another replica audits now.
    void audit?.stop();
  };
  // Before the announcement: once a test or an operator sees Palisade listening, a SIGTERM drains.
  const drained = drainOnSignal(app, {
    delayMs: config.server.drainDelaySeconds * 1000,
    timeoutMs: config.server.drainTimeoutMs,
    logger,
    onSignal: () => {
      draining = true;
      stopWatching();
    },
  });
  const url = logListening(app, config, runtime, logger);
  if (tls.source === 'self-signed') announceLocal(url, tls, runtime);

  await drained;
  await audit?.stop();
  await denials?.flush();
  await gatekeeper?.stop();
  inventory?.stop();
  await Promise.all([runtime.close(), namespaces.stop(), poller?.stop()]);
  logger.info('stopped');
  return 0;
}

/**
 * The runtime on the config's bundle: a directory is loaded now (a bad one stops Palisade, as
 * before); a remote source starts pending (not ready, saying why), serves the cached bundle if
 * there is one, asks the source once, then polls it every pollSeconds.
 */
async function startPolicies(
  config: Config,
  logger: Logger,
  metrics: Metrics,
): Promise<{ runtime: PolicyRuntime; poller?: BundlePoller }> {
  const b = config.bundle;
  const source = openSource(b);
  if (!source) return { runtime: await PolicyRuntime.start(config) };
  const verification = await readVerification(b);
  const runtime = PolicyRuntime.pending(config, `waiting for the first bundle from ${source.name}`);
  const poller = new BundlePoller(source, {
    runtime,
    verification,
    cache: b.cacheDir ? new BundleCache(b.cacheDir) : undefined,
    pollMs: b.pollSeconds * 1000,
  });
  poller.on('activated', (a) => {
    metrics.setActiveBundle(a, a.activatedAt);
    if (a.from === 'source') metrics.bundleChecks.inc({ result: 'activated' });
    logger.info(
      { source: a.source, revision: a.revision, digest: a.digest, keyId: a.keyId, from: a.from },
      'bundle activated',
    );
  });
  poller.on('unchanged', () => metrics.bundleChecks.inc({ result: 'unchanged' }));
  poller.on('failed', (f) => {
    metrics.bundleFailures.inc({ stage: f.stage, reason: f.reason });
    if (f.from === 'source') metrics.bundleChecks.inc({ result: 'failed' });
    const serving = poller.active;
    if (!serving) runtime.stillPending(f.error.message);
    logger.error(
      {
        source: source.name,
        stage: f.stage,
        reason: f.reason,
        error: f.error.message,
        from: f.from,
      },
      serving
        ? `bundle ${f.stage} failed; revision ${serving.revision} (${serving.digest}) keeps serving`
        : `bundle ${f.stage} failed; no verified bundle: not ready`,
    );
  });
  runtime.on('reloaded', (kind) => kind === 'config' && poller.forgetRefused());
  await poller.start();
  if (!poller.active) logger.warn({ reason: runtime.unavailable }, 'not ready: no verified bundle');
  return { runtime, poller };
}

/**
 * Starts the namespace watch (src/kube) once the snapshot needs it (src/policy decides, at start
 * or after a reload) and hands its lookup to the server. The kubeconfig is read at start: a
 * change needs a restart, and a watch, once started, runs until exit.
 */
function namespaceWatcher(runtime: PolicyRuntime, deps: ServerDeps, kubeconfig?: string) {
  let started: Promise<NamespaceWatch | undefined> | undefined;
  const { metrics, logger } = deps;
  return {
    update(): Promise<unknown> {
      if (started || !needsNamespaceWatch(runtime.snapshot)) return Promise.resolve();
      started = watchNamespaces({
        kubeconfig,
        logger,
        onLookup: (source) => metrics.namespaceLookups.inc({ source }),
      }).then(
        (watch) => {
          deps.namespaceLabels = watch.cache.lookup;
          return watch;
        },
        (err: unknown) => {
          logger.error(
            { reason: describeThrown(err) },
            'cannot watch namespaces; policies with a namespaceSelector apply everywhere',
          );
          started = undefined;
          return undefined;
        },
      );
      return started;
    },
    async stop(): Promise<void> {
      await (await started)?.stop();
    },
  };
}

function watchAutoTls(autoTls: AutoTlsManager, app: App, deps: ServerDeps): () => void {
  return autoTls.watch(
    (cert) => {
      replaceCertificate(app, deps, cert);
      deps.metrics.reloads.inc({ kind: 'tls', result: 'success' });
      deps.logger.info({ expiresAt: cert.expiresAt.toISOString() }, 'serving certificate replaced');
    },
    () => deps.metrics.reloads.inc({ kind: 'tls', result: 'failure' }),
  );
}

function watchAll(
  source: ConfigSource,
  config: Config,
  app: App,
  runtime: PolicyRuntime,
  deps: ServerDeps,
): () => void {
  const { metrics, logger } = deps;
  // First: the bundle watch follows a reload before "reloaded" is logged, so whoever reads that
  // line may change the new directory at once.
  // gatekeeper.enabled: the serving bundle is the controller's compile of the built-in policies
  // and the templates; reloading the built bundle directory would drop the templates.
  const fromDir = !openSource(config.bundle) && !config.gatekeeper.enabled;
  const stops: Array<() => void> = fromDir ? [watchBundle(runtime)] : [];
  runtime.on('reloaded', (kind) => {
    metrics.reloads.inc({ kind, result: 'success' });
    logger.info({ kind }, `${kind} reloaded`);
  });
  runtime.on('rejected', (kind, err) => {
    metrics.reloads.inc({ kind, result: 'failure' });
    logger.error(
      { kind, reason: err.message },
      `new ${kind} refused; the previous one keeps serving`,
    );
  });
  if (source.file) {
    const file = source.file;
    stops.push(
      watchFiles([file], WATCH_INTERVAL_MS, () => {
        // The same source as at start: --bundle, --port, --host and PALISADE_* still override.
        loadConfig(source)
          .then((next) => runtime.reloadConfig(next))
          .catch((err: Error) => runtime.reject('config', err));
      }),
    );
  }
  const { certFile, keyFile } = config.server.tls;
  if (certFile && keyFile) {
    stops.push(
      watchFiles([certFile, keyFile], WATCH_INTERVAL_MS, () => {
        try {
          replaceCertificate(app, deps, loadCertFiles(certFile, keyFile));
          metrics.reloads.inc({ kind: 'tls', result: 'success' });
          logger.info('serving certificate reloaded');
        } catch (err) {
          metrics.reloads.inc({ kind: 'tls', result: 'failure' });
          logger.error(
            { reason: describeThrown(err) },
            'new certificate refused; the previous one keeps serving',
          );
        }
      }),
    );
  }
  return () => stops.forEach((s) => s());
}

/** Reloads the bundle when its files change; follows a config reload to another directory. */
function watchBundle(runtime: PolicyRuntime): () => void {
  let dir = '';
  let stop = () => {};
  const follow = () => {
    const next = runtime.snapshot.config.bundle.source;
    if (next === dir) return;
    stop();
    dir = next;
    stop = watchFiles(
      [join(dir, 'policy.wasm'), join(dir, 'palisade.json')],
      WATCH_INTERVAL_MS,
      () => void runtime.reloadBundle(),
    );
  };
  follow();
  runtime.on('reloaded', follow);
  return () => {
    runtime.off('reloaded', follow);
    stop();
  };
}

/** Logs where Palisade listens, in every mode: the line tests, benches and operators look for. */
function logListening(app: App, config: Config, runtime: PolicyRuntime, logger: Logger): string {
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `https://${host}:${port}`;
  const policies = runtime.unavailable === undefined ? runtime.snapshot.policies.length : 0;
  logger.info({ url, policies }, 'palisade listening');
  return url;
}

/**
 * The self-signed local mode only (`npm start`): writes the CA to a temporary file and prints a
 * curl command that works. In a pod (certificate files or tls.auto) nothing is written to /tmp.
 */
function announceLocal(url: string, tls: ServingCert, runtime: PolicyRuntime): void {
  const caFile = join(mkdtempSync(join(tmpdir(), 'palisade-')), 'ca.crt');
  writeFileSync(caFile, tls.ca);
  const sample = resolve(__dirname, '../../examples/reviews/privileged-pod.json');
  process.stderr.write(
    `\nPalisade is serving ${runtime.snapshot.policies.length} policies at ${url}/validate\n` +
      `Try it:\n  curl --cacert ${caFile} -H 'Content-Type: application/json' \\\n` +
      `    --data @${sample} ${url}/validate\n\n`,
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`palisade: ${describeThrown(err)}\n`);
      process.exit(2);
    },
  );
}

/**
 * The audit's view of this process: the runtime's snapshots, the namespace labels the webhook
 * uses (when the namespace watch runs), and its results into the metrics.
 */
function auditDeps(runtime: PolicyRuntime, deps: ServerDeps): AuditDeps {
  const { metrics, logger } = deps;
  return {
    snapshots: runtime,
    logger,
    namespaceLabels: (ns) => deps.namespaceLabels?.(ns) ?? Promise.resolve(undefined),
    observer: {
      onScan: (s) => metrics.auditScanned(s),
      onViolations: (counts) => metrics.setAuditViolations(counts),
    },
  };
}
