/**
 * A self-signed TLS certificate for the push fakes, for `localhost`, 127.0.0.1 and ::1, made once
 * per process (node:crypto makes keys but cannot issue X.509 certificates; the `selfsigned`
 * package does, on WebCrypto). Clients trust it by its PEM: `ca` for node:http2/https, or
 * `https.Agent({ ca })` for the web-push library.
 */
import { generate } from 'selfsigned';

export interface TestCertificate {
  key: string;
  cert: string;
}

let made: Promise<TestCertificate> | undefined;

export function testCertificate(): Promise<TestCertificate> {
  made ??= generate(
    [{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
      ],
    })
    .then((pems) => ({ key: pems.private, cert: pems.cert }));
  return made;
}
