// The `helm test` check, run by node in the Palisade image (templates/tests/test-webhook.yaml):
// through the Service, over TLS verified with the webhook's CA, /readyz must answer 200 and
// /validate must answer a well-formed AdmissionReview for a harmless ConfigMap.
//
// Env: PALISADE_HOST, PALISADE_PORT, and the CA as PALISADE_CA (PEM) or PALISADE_CA_FILE.
'use strict';

const https = require('node:https');
const fs = require('node:fs');

const host = process.env.PALISADE_HOST;
const port = Number(process.env.PALISADE_PORT || 443);
const ca = process.env.PALISADE_CA || fs.readFileSync(process.env.PALISADE_CA_FILE, 'utf8');

const review = {
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'palisade-helm-test',
    kind: { group: '', version: 'v1', kind: 'ConfigMap' },
    resource: { group: '', version: 'v1', resource: 'configmaps' },
    operation: 'CREATE',
    namespace: 'default',
    name: 'palisade-helm-test',
    userInfo: { username: 'palisade-helm-test' },
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'palisade-helm-test' } },
  },
};

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host,
        port,
        method,
        path,
        ca,
        timeout: 10000,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${host}:${port} in 10s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const ready = await call('GET', '/readyz');
  if (ready.status !== 200) throw new Error(`/readyz answered ${ready.status}: ${ready.text}`);
  const reply = await call('POST', '/validate', JSON.stringify(review));
  const response = reply.status === 200 ? JSON.parse(reply.text).response : undefined;
  if (!response || response.uid !== review.request.uid || typeof response.allowed !== 'boolean') {
    throw new Error(`/validate answered ${reply.status}: ${reply.text}`);
  }
  console.log(`palisade at ${host}:${port} is ready and answered allowed=${response.allowed}`);
}

main().catch((err) => {
  console.error(`palisade helm test failed: ${err.message}`);
  process.exit(1);
});
