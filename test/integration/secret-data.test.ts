// docs/threat-model.md, "Secrets in logs and answers": a Secret's data and stringData reach no
// log line, even at logLevel trace, and no answer — whether the review is decided, denied,
// updated, deleted, malformed, or not even JSON. The values are markers that cannot occur by
// chance; each is looked for as sent and as its base64 and JSON forms would show it.
import { startPalisade, type Palisade } from '../support/palisade';
import { localClient, type LocalClient } from '../support/https-client';
import { review, secret } from '../fixtures/reviews';

const PLAIN = 'pal-marker-hunter2-7f3c9a';
const ENCODED = Buffer.from(PLAIN).toString('base64');
const STRING_DATA = 'pal-marker-stringdata-51e2d0';
const OLD = 'pal-marker-old-value-0b8e44';
const MARKERS = [PLAIN, ENCODED, STRING_DATA, OLD, Buffer.from(OLD).toString('base64')];

let palisade: Palisade;
let client: LocalClient;
const answers: string[] = [];

beforeAll(async () => {
  // disallow-default-namespace (on Secrets) set to deny, so a Secret gets a denial message too.
  palisade = await startPalisade({
    config: { logLevel: 'trace', policies: { 'disallow-default-namespace': { action: 'deny' } } },
  });
  client = localClient(palisade.port, palisade.ca.certPem);
});
afterAll(async () => {
  client?.close();
  await palisade?.stop();
});

async function post(body: string | object): Promise<{ status: number; text: string }> {
  const answer = await client.post('/validate', body);
  answers.push(answer.text);
  return answer;
}

function withStringData() {
  const s = secret('db', { password: ENCODED });
  return { ...s, stringData: { token: STRING_DATA } };
}

it('decides on Secrets without their data reaching an answer or a log line', async () => {
  const created = await post(review(withStringData()));
  expect(created.status).toBe(200);
  expect(JSON.parse(created.text).response.allowed).toBe(false); // the default namespace: denied

  const old = secret('db', { password: Buffer.from(OLD).toString('base64') });
  const updated = await post(
    review(withStringData(), { operation: 'UPDATE', oldObject: old, namespace: 'team-a' }),
  );
  expect(JSON.parse(updated.text).response.allowed).toBe(true);

  const deleted = await post(review(null, { operation: 'DELETE', oldObject: old }));
  expect(JSON.parse(deleted.text).response.allowed).toBe(true);

  // A review that fails decoding (no kind) is answered by the failure mode, naming the problem.
  const bad = review(withStringData()) as unknown as { request: Record<string, unknown> };
  delete bad.request.kind;
  const refused = await post(bad);
  expect(refused.status).toBe(200);
  expect(JSON.parse(refused.text).response.status.message).toMatch(/kind/);

  // Not JSON at all: a JSON 400, whose message must not quote the body.
  const broken = await post(`{"request": {"object": {"data": {"password": "${PLAIN}"`);
  expect(broken.status).toBe(400);

  // Every request above has its decision line (or its error line) before the log is searched.
  await palisade.waitForDecisions(() => true, 4);
  const log = palisade.output();
  expect(log).toContain('"msg":"admission decision"');
  for (const marker of MARKERS) {
    expect(log).not.toContain(marker);
    for (const text of answers) expect(text).not.toContain(marker);
  }
});
