// Hostile bodies against the real HTTPS server on the real bundle: every reply is a valid
// AdmissionReview echoing the uid (whenever the body had a readable one) or a JSON 4xx; never a
// 5xx or a dropped connection; afterwards the server decides a known review as before.
import fc from 'fast-check';
import { container, deployment, pod, review } from '../fixtures/reviews';
import { BODY_LIMIT } from '../../src/server/build-server';
import { startHarness, type Harness, type HttpReply } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ evaluation: { workers: 1 } });
});
afterAll(() => h.close());

// Fixed seed: a failure is reproducible; FUZZ_SEED explores other bodies locally.
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Strings that hurt: control characters, CR LF, quotes, lone surrogates, prototype names. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'),
  fc.constantFrom('a\r\nWarning: 299 - "injected"', '\u0000', '\u001b[31mred', '"\\', '\ud800'),
  fc.string({ unit: fc.constantFrom('\r', '\n', '\t', 'a', '"', '\u0085'), maxLength: 20 }),
);
const anyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  nastyString,
  fc.constantFrom<Json>(null, true, 0, -1, 1e308, [], {}, ''),
);

/** A review the apiserver could send, with names that end up in messages and warnings. */
const baseReview = fc
  .record({
    name: nastyString,
    image: fc.oneof(fc.constant('nginx:latest'), nastyString),
    privileged: fc.boolean(),
    kind: fc.constantFrom('Pod', 'Deployment'),
    operation: fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
  })
  .map(({ name, image, privileged, kind, operation }) => {
    const cs = [container({ name, image, privileged, limits: null })];
    const obj = kind === 'Pod' ? pod(name, cs) : deployment(name, cs);
    return review(obj, { operation: operation as 'CREATE' }) as unknown as Json;
  });

/** Every path to a value inside a JSON value. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object')
    for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
  return out;
}

/** Replaces the value at `path` with `value`, or adds `key: value` to the object there. */
function mutate(root: Json, path: (string | number)[], value: Json, key?: string): Json {
  if (path.length === 0) return key === undefined ? value : root;
  const copy = JSON.parse(JSON.stringify(root)) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  const target = parent[last];
  if (key !== undefined && target && typeof target === 'object' && !Array.isArray(target)) {
    // defineProperty: `__proto__` becomes an own key, as JSON.parse would make it.
    Object.defineProperty(target, key, { value, enumerable: true, writable: true });
  } else parent[last] = value;
  return copy;
}

const mutatedReview = fc
  .tuple(
    baseReview,
    fc.array(fc.tuple(fc.nat(), anyValue, fc.option(nastyString, { nil: undefined })), {
      maxLength: 4,
    }),
  )
  .map(([r, edits]) =>
    edits.reduce<Json>((acc, [i, value, key]) => {
      const all = paths(acc);
      return mutate(acc, all[i % all.length]!, value, key);
    }, r),
  );

interface Case {
  body: string;
  contentType?: string;
}

const JSON_TYPE = 'application/json';
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant(JSON_TYPE) },
  fc.constantFrom(
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'application/json; charset=utf-8',
    'application/yaml',
    'multipart/form-data; boundary=x',
    '',
  ),
);

const hostileCase: fc.Arbitrary<Case> = fc.oneof(
  fc.record({ body: mutatedReview.map((r) => JSON.stringify(r)), contentType }),
  // Truncated and spliced JSON.
  fc
    .tuple(mutatedReview, fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }))
    .map(([r, cut, junk]) => {
      const s = JSON.stringify(r);
      return { body: s.slice(0, cut % (s.length + 1)) + junk, contentType: JSON_TYPE };
    }),
  fc.record({ body: fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), contentType }),
  fc.record({ body: fc.string({ unit: 'binary', maxLength: 200 }), contentType }),
);

/**
 * The uid the reply must echo: a JSON object body within the body limit, sent as JSON, with a
 * non-empty string uid.
 */
function readableUid(c: Case): string | undefined {
  if (c.contentType === undefined || !c.contentType.startsWith(JSON_TYPE)) return undefined;
  if (Buffer.byteLength(c.body) > BODY_LIMIT) return undefined;
  try {
    const uid = JSON.parse(c.body)?.request?.uid;
    return typeof uid === 'string' && uid !== '' ? uid : undefined;
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkReply(c: Case, res: HttpReply): void {
  const uid = readableUid(c);
  const label = `status ${res.status} for ${c.contentType} ${c.body.slice(0, 300)}: ${res.text.slice(0, 300)}`;
  if (uid !== undefined && res.status !== 200) throw new Error(`uid ${uid} not echoed: ${label}`);
  if (res.status === 200) {
    const r = res.json();
    if (r.kind !== 'AdmissionReview' || typeof r.apiVersion !== 'string')
      throw new Error(`not an AdmissionReview: ${label}`);
    if (typeof r.response?.allowed !== 'boolean') throw new Error(`no decision: ${label}`);
    if (uid !== undefined && r.response.uid !== uid) throw new Error(`wrong uid: ${label}`);
    for (const w of r.response.warnings ?? [])
      if (CONTROL.test(w) || w.length > 256) throw new Error(`bad warning ${w}: ${label}`);
    return;
  }
  if (res.status < 400 || res.status >= 500) throw new Error(`bad status: ${label}`);
  const err = res.json().error;
  if (typeof err?.code !== 'string' || !err.code.startsWith('PAL_ERR_'))
    throw new Error(`not a JSON error: ${label}`);
  if (typeof err.message !== 'string') throw new Error(`no message: ${label}`);
}

function send(c: Case): Promise<HttpReply> {
  return h.post(c.body, c.contentType === undefined ? {} : { 'content-type': c.contentType });
}

async function decidesKnownReview(): Promise<void> {
  const r = review(pod('known', [container({ privileged: true })]));
  const res = await h.post(r);
  expect(res.status).toBe(200);
  expect(res.json().response).toMatchObject({ uid: r.request.uid, allowed: false });
}

/** fast-check's own report prints the counterexample, megabytes for the huge ones. */
function shortReport(out: fc.RunDetails<[Case]>): void {
  if (!out.failed) return;
  const cause =
    out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(
    `seed ${out.seed}, path ${out.counterexamplePath}: ${String(cause).slice(0, 2000)}`,
  );
}

it(`answers ${RUNS} hostile bodies with an AdmissionReview or a JSON 4xx`, async () => {
  await fc.assert(
    fc.asyncProperty(hostileCase, async (c) => checkReply(c, await send(c))),
    { seed: SEED, numRuns: RUNS, endOnFailure: true, reporter: shortReport },
  );
  await decidesKnownReview();
});

// Huge bodies, each up to the 7 MiB body limit: fewer runs, each costs real memory and time.
const MiB = 1024 * 1024;
const hugeCase: fc.Arbitrary<Case> = fc.oneof(
  fc.integer({ min: 1, max: 7 }).map((mib) => {
    const p = pod('huge');
    p.metadata!.annotations = { big: 'x'.repeat(mib * MiB - 1024) };
    return { body: JSON.stringify(review(p)), contentType: JSON_TYPE };
  }),
  fc.constantFrom(10_000, 20_000).map((depth) => {
    const r = review(pod('deep'));
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const body = JSON.stringify(r).replace('"spec":{', `"nested":${deep},"spec":{`);
    return { body, contentType: JSON_TYPE };
  }),
  fc.constantFrom(10_000, 20_000).map((depth) => ({
    body: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
    contentType: JSON_TYPE,
  })),
  fc.constant(20_000).map((n) => {
    const cs = Array.from({ length: n }, (_, i) => container({ name: `c${i}`, privileged: true }));
    return { body: JSON.stringify(review(pod('many', cs))), contentType: JSON_TYPE };
  }),
);

it('answers huge, deep and wide bodies and keeps deciding', async () => {
  await fc.assert(
    fc.asyncProperty(hugeCase, async (c) => checkReply(c, await send(c))),
    { seed: SEED, numRuns: 12, endOnFailure: true, reporter: shortReport },
  );
  await decidesKnownReview();
});
