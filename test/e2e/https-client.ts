// Plain HTTPS calls to a local Palisade, trusting only the CA it was given: /metrics and a
// POST /validate of an AdmissionReview, without the apiserver in between.
import https from 'node:https';

export interface HttpsAnswer {
  status: number;
  text: string;
}

function call(url: string, ca: string, body?: unknown): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(
      url,
      {
        ca,
        method: payload === undefined ? 'GET' : 'POST',
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** The text of https://127.0.0.1:PORT/metrics. */
export async function fetchMetrics(port: number, ca: string): Promise<string> {
  return (await call(`https://127.0.0.1:${port}/metrics`, ca)).text;
}

/** POSTs `review` to `validateUrl`; resolves with the AdmissionReview answered. */
export async function postReview(validateUrl: string, ca: string, review: unknown) {
  const answer = await call(validateUrl, ca, review);
  if (answer.status !== 200)
    throw new Error(`POST ${validateUrl}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as {
    response: { uid: string; allowed: boolean; status?: { message?: string } };
  };
}

/** The value of one sample of a Prometheus text exposition, or undefined. */
export function metricValue(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}
