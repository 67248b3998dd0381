// Sanity check of the harness against the 1EdTech Open Badges 3.0 eddsa-rdfc-2022 test vector: Digital
// Bazaar's libraries must reproduce the published proofValue (Ed25519 and RDFC-1.0 are deterministic), and
// the verify path used by verify.mjs must accept the result and reject a tampered copy.
// No stdin. stdout: {"proofValue", "expectedProofValue", "match", "verified", "tamperedVerified",
//                    "tamperedError", "credential", "documents"}; exit 1 if any check fails.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {makeDocumentLoader} from './loader.mjs';
import {issue, makeSigningSuite, runMain, verifyOne} from './common.mjs';

const PUBLIC_KEY_HEX = '4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5';
// 64-byte secret key = seed || public key; the first half is what key generation takes.
const SECRET_KEY_HEX = '6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4' + PUBLIC_KEY_HEX;
const PUBLIC_KEY_MULTIBASE = 'z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi';
const CONTROLLER = 'https://example.edu/issuers/565049';
const KEY_ID = `${CONTROLLER}#${PUBLIC_KEY_MULTIBASE}`;
const CREATED = '2010-01-01T19:23:24Z';
const EXPECTED = 'z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr';

const CREDENTIAL = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'http://example.com/credentials/3527',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: {id: CONTROLLER, type: ['Profile'], url: 'https://www.imsglobal.org', name: 'Example Corp'},
  validFrom: '2010-01-01T00:00:00Z',
  name: 'Teamwork Badge',
  credentialSubject: {
    id: 'did:example:ebfeb1f712ebc6f1c276e12ec21',
    type: ['AchievementSubject'],
    achievement: {
      id: 'https://example.com/achievements/21st-century-skills/teamwork',
      type: ['Achievement'],
      criteria: {
        narrative: 'Team members are nominated for this badge by their peers and recognized upon review by ' +
          'Example Corp management.',
      },
      description: 'This badge recognizes the development of the capacity to collaborate within a group ' +
        'environment.',
      name: 'Teamwork',
    },
  },
};

// What the issuer would publish at CONTROLLER; the loader dereferences KEY_ID inside it. DID v1 first lets
// jsonld-signatures use the document as is (otherwise it frames it with the security v2 context).
const CONTROLLER_DOCUMENT = {
  '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
  id: CONTROLLER,
  assertionMethod: [{id: KEY_ID, type: 'Multikey', controller: CONTROLLER, publicKeyMultibase: PUBLIC_KEY_MULTIBASE}],
};

runMain(async () => {
  const keyPair = await Ed25519Multikey.generate({
    seed: Uint8Array.from(Buffer.from(SECRET_KEY_HEX.slice(0, 64), 'hex')), controller: CONTROLLER, id: KEY_ID,
  });
  if(keyPair.publicKeyMultibase !== PUBLIC_KEY_MULTIBASE) {
    throw new Error(`seed gives ${keyPair.publicKeyMultibase}, not the vector's key`);
  }
  const documents = {[CONTROLLER]: CONTROLLER_DOCUMENT};
  const documentLoader = makeDocumentLoader({documents});
  const signed = await issue({
    credential: structuredClone(CREDENTIAL),
    signingSuite: makeSigningSuite({keyPair, date: CREATED}),
    documentLoader,
  });
  const proofValue = signed.proof.proofValue;
  const good = await verifyOne({credential: signed, documentLoader});
  const tampered = await verifyOne({credential: {...signed, name: 'Tampered Badge'}, documentLoader});

  const out = {
    proofValue, expectedProofValue: EXPECTED, match: proofValue === EXPECTED,
    verified: good.verified, verifyError: good.error,
    tamperedVerified: tampered.verified, tamperedError: tampered.error,
    credential: signed, documents,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
  if(!(out.match && out.verified && !out.tamperedVerified)) {
    process.stderr.write(`vector check failed: match=${out.match} verified=${out.verified} ` +
      `(${good.error}) tamperedVerified=${out.tamperedVerified}\n`);
    process.exit(1);
  }
});
