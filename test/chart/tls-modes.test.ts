// templates/tls-secret.yaml and templates/certificate.yaml: the three tls.mode values.
import { find, kinds, render, renderError } from './render';

const tlsKinds = (scenario?: string) =>
  kinds(
    render({ values: scenario ? [scenario] : [] }).filter((o) =>
      ['Secret', 'Certificate', 'Issuer'].includes(o.kind),
    ),
  );

describe('auto (default)', () => {
  it('creates the Secret empty, so Palisade needs no create permission and uninstall removes it', () => {
    const secret = find(render(), 'Secret');
    expect(secret.metadata.name).toBe('palisade-tls');
    expect(secret.type).toBe('Opaque');
    expect(secret.data).toBeUndefined();
    expect(secret.stringData).toBeUndefined();
  });

  it('creates no cert-manager object', () => {
    expect(tlsKinds()).toEqual(['Secret']);
  });
});

describe('cert-manager', () => {
  it('without issuerRef: a self-signed root, a CA Certificate, a CA Issuer and the serving Certificate', () => {
    const objects = render({ values: ['cert-manager-values.yaml'] });
    expect(tlsKinds('cert-manager-values.yaml')).toEqual([
      'Certificate',
      'Certificate',
      'Issuer',
      'Issuer',
    ]);
    expect(find(objects, 'Issuer', 'palisade-selfsigned').spec).toEqual({ selfSigned: {} });
    expect(find(objects, 'Certificate', 'palisade-ca').spec.isCA).toBe(true);
    expect(find(objects, 'Issuer', 'palisade-ca').spec).toEqual({
      ca: { secretName: 'palisade-ca' },
    });
    const serving = find(objects, 'Certificate', 'palisade-tls');
    expect(serving.spec.secretName).toBe('palisade-tls');
    expect(serving.spec.issuerRef).toEqual({
      name: 'palisade-ca',
      kind: 'Issuer',
      group: 'cert-manager.io',
    });
    expect(serving.spec.dnsNames).toContain('palisade.palisade-system.svc');
    expect(serving.spec.duration).toBe('8760h');
    expect(serving.spec.renewBefore).toBe('2920h');
  });

  it('tls.certManager.issuerRef, duration and renewBefore: only the serving Certificate', () => {
    const objects = render({ values: ['cert-manager-issuer-values.yaml'] });
    expect(tlsKinds('cert-manager-issuer-values.yaml')).toEqual(['Certificate']);
    const serving = find(objects, 'Certificate');
    expect(serving.spec.issuerRef).toEqual({
      name: 'corp-ca',
      kind: 'ClusterIssuer',
      group: 'cert-manager.io',
    });
    expect(serving.spec).toMatchObject({ duration: '2160h', renewBefore: '720h' });
  });
});

describe('secret', () => {
  it('creates no Secret: the one named in tls.secret.name is yours', () => {
    expect(tlsKinds('secret-values.yaml')).toEqual([]);
  });

  it('requires tls.secret.name and tls.secret.caBundle', () => {
    expect(renderError({ set: { 'tls.mode': 'secret', 'tls.secret.caBundle': 'x' } })).toContain(
      'tls.secret.name is required when tls.mode is secret',
    );
    expect(renderError({ set: { 'tls.mode': 'secret', 'tls.secret.name': 'mine' } })).toContain(
      'tls.secret.caBundle is required when tls.mode is secret',
    );
  });
});

it('refuses an unknown tls.mode', () => {
  expect(renderError({ set: { 'tls.mode': 'self-signed' } })).toMatch(
    /tls\/mode.*value must be one of/,
  );
});
