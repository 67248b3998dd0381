// Issue a credential with Digital Bazaar's libraries under a fresh (or seeded) did:key issuer.
// stdin:  {"credential": <unsigned vc>, "seed": "<32-byte hex, optional>"}
// args:   [--suite eddsa-rdfc-2022 | --suite Ed25519Signature2020]   (default eddsa-rdfc-2022)
// stdout: {"credential": <signed vc>, "didDocument": <did:key document>}
import {makeDocumentLoader} from './loader.mjs';
import {
  SUITE_2020, SUITE_EDDSA, issue, makeDidKeyIssuer, makeSigningSuite, readStdinJson, runMain, seedBytes, withIssuer,
} from './common.mjs';

function suiteArg(argv) {
  const i = argv.findIndex(a => a === '--suite' || a.startsWith('--suite='));
  if(i < 0) {
    return SUITE_EDDSA;
  }
  return argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
}

runMain(async () => {
  const suite = suiteArg(process.argv.slice(2));
  if(![SUITE_EDDSA, SUITE_2020].includes(suite)) {
    throw new Error(`unsupported --suite "${suite}" (use ${SUITE_EDDSA} or ${SUITE_2020})`);
  }
  const {credential, seed} = await readStdinJson();
  if(!credential || typeof credential !== 'object') {
    throw new TypeError('"credential" must be an object');
  }
  const {keyPair, did, didDocument} = await makeDidKeyIssuer({seed: seedBytes(seed), suite});
  const signed = await issue({
    credential: withIssuer(credential, did, suite),
    signingSuite: makeSigningSuite({keyPair, suite}),
    documentLoader: makeDocumentLoader(),
  });
  process.stdout.write(JSON.stringify({credential: signed, didDocument}) + '\n');
});
