// A throwaway certificate authority for tests of https backends: a CA and a server certificate it signs
// for 127.0.0.1 and localhost, made with openssl in the test's temp folder. The server certificate also
// names 127.0.0.1 as a DNS name: nginx checks the name it verifies (proxy_ssl_name) against DNS names
// only, node's client against IP addresses.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCa {
  /** PEM file of the CA certificate (what a backend's tls.ca names). */
  ca: string;
  /** PEM files of a server certificate the CA signed, and its key. */
  cert: string;
  key: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'];

export function makeTestCa(dir: string, name = 'test-ca'): TestCa {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const file = (f: string) => join(folder, f);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  openssl(['req', '-x509', ...EC, '-subj', `/CN=${name}`, '-keyout', file('ca.key'), '-out', file('ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-x509', ...EC, '-subj', '/CN=localhost', '-CA', file('ca.crt'), '-CAkey', file('ca.key'),
    '-keyout', file('server.key'), '-out', file('server.crt'),
    '-addext', 'subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:FALSE',
    '-addext', 'extendedKeyUsage=serverAuth']);
  return { ca: file('ca.crt'), cert: file('server.crt'), key: file('server.key') };
}
