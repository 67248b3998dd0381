// Offline JSON-LD document loader for the interop scripts. The test suite must never depend on the network
// (and a verifier that silently fetched contexts would hide bundling mistakes), so every URL is answered
// from memory or refused with an error that names it.
import jsigs from 'jsonld-signatures';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {allContexts} from './contexts.mjs';

// Parsed once per process: verifying a batch must not re-read the context files for every credential.
const CONTEXTS = allContexts();

// did:key is self-certifying, so it is resolved locally rather than trusted from the caller. Ed25519 keys
// ('z6Mk') come out as Multikey verification methods; Digital Bazaar's Ed25519Signature2020 suite converts
// a Multikey to Ed25519VerificationKey2020 itself, so one representation serves both suites.
const didKey = didKeyDriver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

// Properties of a controller document that may embed verification methods (DID Core / Controlled
// Identifiers); used to dereference "<controller>#<fragment>" when only the controller document is given.
const VM_HOLDERS = [
  'verificationMethod', 'assertionMethod', 'authentication',
  'capabilityInvocation', 'capabilityDelegation', 'keyAgreement',
];

function findEmbeddedMethod(controllerDoc, url) {
  for(const prop of VM_HOLDERS) {
    const values = [].concat(controllerDoc[prop] ?? []);
    const vm = values.find(v => v && typeof v === 'object' && v.id === url);
    if(vm) {
      // Keep the controller document's context, as a DID resolver would: Digital Bazaar's Multikey import
      // then checks that it includes https://w3id.org/security/multikey/v1.
      return controllerDoc['@context'] ? {'@context': controllerDoc['@context'], ...vm} : {...vm};
    }
  }
  return undefined;
}

/**
 * @param {object} [options]
 * @param {object} [options.documents] - url -> document (DID/controller documents, key documents, status
 *   list credentials). Exact URLs win; "<url>#fragment" falls back to a method embedded in documents[url].
 * @returns {Function} a jsonld documentLoader.
 */
export function makeDocumentLoader({documents = {}} = {}) {
  const extra = new Map(Object.entries(documents ?? {}));

  async function offlineLoader(url) {
    let document;
    if(typeof url !== 'string') {
      throw new TypeError(`offline loader refuses non-string URL ${JSON.stringify(url)}`);
    }
    if(CONTEXTS.has(url)) {
      document = CONTEXTS.get(url);
    } else if(url.startsWith('did:key:')) {
      try {
        document = await didKey.get({url});
      } catch(e) {
        throw new Error(`offline loader cannot resolve ${url}: ${e.message}`, {cause: e});
      }
    } else if(extra.has(url)) {
      document = extra.get(url);
    } else {
      const hash = url.indexOf('#');
      const base = hash > 0 ? extra.get(url.slice(0, hash)) : undefined;
      document = base && typeof base === 'object' ? findEmbeddedMethod(base, url) : undefined;
    }
    if(document === undefined) {
      throw new Error(`offline loader refuses ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document};
  }

  // jsonld-signatures' own static contexts (security v1/v2) are needed when it frames a controller document
  // that is not a DID document; they are shipped inside the package, so this stays offline.
  return jsigs.extendContextLoader(offlineLoader);
}
