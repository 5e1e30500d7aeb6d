// The webhook's configuration file (YAML), as one TypeBox schema: the same object validates the
// file and gives the TypeScript type. docs/configuration.md documents every key.
import { Type, type Static } from '@sinclair/typebox';

const Strings = Type.Array(Type.String(), { default: [] });

/**
 * The JWS algorithms a bundle signature may use (src/policy/artifact signs and verifies them);
 * never `none` or a shared-secret HMAC.
 */
export const SIGNING_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(Type.Record(Type.String(), Type.String())),
    matchExpressions: Type.Optional(
      Type.Array(
        Type.Object(
          {
            key: Type.String(),
            operator: Type.Union([
              Type.Literal('In'),
              Type.Literal('NotIn'),
              Type.Literal('Exists'),
              Type.Literal('DoesNotExist'),
            ]),
            values: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type LabelSelector = Static<typeof LabelSelector>;

export const Match = Type.Object(
  {
    kinds: Type.Optional(Type.Array(Type.String())),
    operations: Type.Optional(
      Type.Array(
        Type.Union([
          Type.Literal('CREATE'),
          Type.Literal('UPDATE'),
          Type.Literal('DELETE'),
          Type.Literal('CONNECT'),
          Type.Literal('*'),
        ]),
      ),
    ),
    namespaces: Type.Optional(Type.Array(Type.String())),
    excludedNamespaces: Type.Optional(Type.Array(Type.String())),
    namespaceSelector: Type.Optional(LabelSelector),
    labelSelector: Type.Optional(LabelSelector),
  },
  { additionalProperties: false },
);
export type Match = Static<typeof Match>;

const Action = Type.Union([
  Type.Literal('deny'),
  Type.Literal('warn'),
  Type.Literal('audit'),
  Type.Literal('off'),
]);

export const PolicyConfig = Type.Object(
  {
    action: Type.Optional(Action),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    match: Type.Optional(Match),
  },
  { additionalProperties: false },
);
export type PolicyConfig = Static<typeof PolicyConfig>;

/**
 * server.tls.auto: Palisade makes its own CA and serving certificate, keeps them in a Secret
 * and injects the CA into its ValidatingWebhookConfiguration (docs/certificates.md).
 */
export const AutoTls = Type.Object(
  {
    namespace: Type.String({ minLength: 1 }),
    secretName: Type.String({ minLength: 1 }),
    webhookConfigurationName: Type.String({ minLength: 1 }),
    /** DNS names and IP addresses the serving certificate is valid for. */
    hosts: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    caValidityDays: Type.Integer({ minimum: 2, default: 3650 }),
    certValidityDays: Type.Integer({ minimum: 1, default: 365 }),
    checkIntervalSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
    // A new CA signs nothing until it has been in the caBundle this long, so every apiserver
    // has seen it (they read webhook configurations through an informer).
    caTrustDelaySeconds: Type.Integer({ minimum: 0, default: 600 }),
    /** A kubeconfig file; unset: kubernetes.kubeconfig, else the in-cluster account. */
    kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);
export type AutoTls = Static<typeof AutoTls>;

/** A public key that may sign bundles, by the key id a signature names (`kid`/`keyid`). */
export const VerificationKey = Type.Object(
  {
    keyId: Type.String({ minLength: 1 }),
    /** A PEM file holding the public key (SPKI `BEGIN PUBLIC KEY`, or an X.509 certificate). */
    file: Type.String({ minLength: 1 }),
    algorithm: Type.Union(
      SIGNING_ALGORITHMS.map((a) => Type.Literal(a)),
      { default: 'RS256' },
    ),
  },
  { additionalProperties: false },
);
export type VerificationKey = Static<typeof VerificationKey>;

/**
 * bundle (object form): where the policy bundle comes from. A directory is `palisade build`'s
 * output, watched as before; an `oci://` reference or an `https://` URL is a bundle archive
 * (bundle.tar.gz) polled every pollSeconds, verified, and swapped in (docs/configuration.md).
 */
export const BundleConfig = Type.Object(
  {
    source: Type.String({ minLength: 1, default: 'dist/bundle' }),
    pollSeconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
    /** oci: a Docker config.json (auths); https: a file holding a bearer token. */
    credentialsFile: Type.Optional(Type.String({ minLength: 1 })),
    /** PEM CA certificates trusted for the source's TLS, in addition to the system's. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Where the last good archive is kept, so a restart serves while the source is down. */
    cacheDir: Type.Optional(Type.String({ minLength: 1 })),
    /** Bound of one download (connect to last byte). */
    timeoutSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 30 }),
    verification: Type.Object(
      {
        /** true: a remote bundle without a valid signature by one of publicKeys is refused. */
        required: Type.Boolean({ default: true }),
        publicKeys: Type.Array(VerificationKey, { default: [] }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
export type BundleConfig = Static<typeof BundleConfig>;

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443 }),
        tls: Type.Object(
          {
            certFile: Type.Optional(Type.String()),
            keyFile: Type.Optional(Type.String()),
            auto: Type.Optional(AutoTls),
          },
          { additionalProperties: false, default: {} },
        ),
        // The apiserver keeps connections alive and reuses them; a server that closes idle
        // connections sooner than the client expects causes intermittent EOF / connection reset.
        keepAliveTimeoutMs: Type.Integer({ minimum: 1000, default: 120_000 }),
        // The time a client has to send a whole request. The apiserver sends each body at once;
        // a client that declares a body and stalls would otherwise hold its share of the
        // in-flight byte budget for as long as its connection lives (Fastify's default: no limit).
        requestTimeoutMs: Type.Integer({ minimum: 1000, maximum: 300_000, default: 10_000 }),
        // On SIGTERM, keep serving this long (readiness off, every answer `Connection: close`)
        // before closing the listener: the time endpoints or a load balancer take to stop sending
        // new connections here. drainTimeoutMs then bounds the in-flight requests.
        drainDelaySeconds: Type.Integer({ minimum: 0, default: 10 }),
        drainTimeoutMs: Type.Integer({ minimum: 0, default: 25_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    // The file may give a directory as a string (`bundle: dist/bundle`, as before): loadConfig
    // turns it into { source: <dir> } before validation, so Config.bundle has one shape.
    bundle: BundleConfig,
    failureMode: Type.Union([Type.Literal('closed'), Type.Literal('open')], { default: 'closed' }),
    evaluation: Type.Object(
      {
        deadlineMs: Type.Integer({ minimum: 1, maximum: 30_000, default: 2_000 }),
        maxMemoryMiB: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
        // Request bytes being decoded and evaluated at once; past it requests wait (within their
        // deadline) rather than the heap growing with every concurrent large body.
        maxInflightMiB: Type.Integer({ minimum: 1, maximum: 4096, default: 16 }),
        // Worker threads that run evaluations; 0 evaluates on the event loop (no interruption of
        // a runaway evaluation); auto = the number of cores (os.availableParallelism()).
        workers: Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 0, maximum: 64 })], {
          default: 'auto',
        }),
        // The pod-spec result cache (src/policy/pod-spec-cache.ts): the results of the policies
        // that judge only the pod template, kept per distinct template; maxEntries 0 turns it off.
        podSpecCache: Type.Object(
          {
            maxEntries: Type.Integer({ minimum: 0, maximum: 100_000, default: 1_000 }),
            maxBytes: Type.Integer({ minimum: 0, maximum: 1 << 30, default: 8 << 20 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    watch: Type.Boolean({ default: true }),
    exemptions: Type.Object(
      { namespaces: Strings, users: Strings, groups: Strings },
      { additionalProperties: false, default: {} },
    ),
    policies: Type.Record(Type.String(), PolicyConfig, { default: {} }),
    // Gatekeeper's objects (docs/gatekeeper.md): enabled serves Gatekeeper's API in the cluster
    // (ConstraintTemplates and constraints, watched, compiled with opa into the bundle).
    gatekeeper: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        /** The opa binary that compiles templates at run time (the image ships one). */
        opaPath: Type.String({ minLength: 1, default: 'opa' }),
        /** This replica's id in status.byPod[].id; unset: the host name (a pod's is its name). */
        podName: Type.Optional(Type.String({ minLength: 1 })),
        // data.inventory: objects of these kinds are watched and handed to the policies (also
        // read from Gatekeeper's Config `spec.sync.syncOnly` when present).
        sync: Type.Object(
          {
            kinds: Type.Array(
              Type.Object(
                {
                  group: Type.String({ default: '' }),
                  version: Type.String({ minLength: 1 }),
                  kind: Type.String({ minLength: 1 }),
                },
                { additionalProperties: false },
              ),
              { default: [] },
            ),
            /** Objects kept in data.inventory at most; past it new ones are dropped and logged. */
            maxObjects: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 10_000 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    // The background audit of what already runs (docs/audit.md).
    audit: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        /** A full rescan this often; between rescans, watches keep the results current. */
        intervalMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 60 }),
        /** Objects per list page (limit/continue). */
        pageSize: Type.Integer({ minimum: 1, maximum: 5_000, default: 500 }),
        /** Results per Report; past it the report is split (etcd's object size). */
        maxResultsPerReport: Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 }),
        /** Also write wgpolicyk8s.io/v1alpha2 PolicyReports, for older dashboards. */
        policyReports: Type.Boolean({ default: false }),
        /** A Kubernetes Event on each object that newly fails a deny policy (rate-limited). */
        events: Type.Boolean({ default: true }),
        /** Audit only these namespaces (cluster-scoped objects are then skipped); [] the cluster. */
        namespaces: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
        // One replica audits at a time: a coordination.k8s.io/v1 Lease, as client-go elects.
        lease: Type.Object(
          {
            name: Type.String({ minLength: 1, default: 'palisade-audit' }),
            /** Unset: the pod's own namespace (POD_NAMESPACE), else "default". */
            namespace: Type.Optional(Type.String({ minLength: 1 })),
            durationSeconds: Type.Integer({ minimum: 2, maximum: 600, default: 15 }),
            renewDeadlineSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 10 }),
            retryPeriodSeconds: Type.Integer({ minimum: 1, maximum: 600, default: 2 }),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    // Kubernetes Events about admission (docs/configuration.md "events"): denials: one Warning
    // Event on the request's namespace per denied request, aggregated and rate-limited.
    events: Type.Object(
      { denials: Type.Boolean({ default: false }) },
      { additionalProperties: false, default: {} },
    ),
    kubernetes: Type.Object(
      {
        /** A kubeconfig file; unset: $KUBECONFIG, ~/.kube/config or the in-cluster account. */
        kubeconfig: Type.Optional(Type.String({ minLength: 1 })),
        // Where match.namespaceSelector gets a namespaced object's namespace labels: a watch on
        // namespaces. auto: only while some policy's match has a namespaceSelector; watch:
        // always; off: never (the selector then sees no labels and the policy applies).
        namespaceLabels: Type.Union(
          [Type.Literal('auto'), Type.Literal('watch'), Type.Literal('off')],
          { default: 'auto' },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
