// One HTTPS request with a JSON body (or none), answered as status and text: what the bench's
// clients of the apiserver and of OPA server need, and no more.
import { request, type RequestOptions } from 'node:https';

export interface HttpsReply {
  status: number;
  body: string;
}

export function httpsCall(options: RequestOptions, body?: string): Promise<HttpsReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { ...options, headers: { 'content-type': 'application/json', ...options.headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
