// Verify credentials with Digital Bazaar's libraries, offline.
// stdin:  {"credentials": [vc, ...], "documents": {url: doc, ...}, "now": "<ISO date, optional>"}
// stdout: {"results": [{"verified": bool, "error": "<message>|null", "status": [...]|null}, ...]}
// One process verifies the whole batch: Node start-up and JSON-LD context processing dominate a single
// verification, so the Python tests send everything at once.
import {makeDocumentLoader} from './loader.mjs';
import {readStdinJson, runMain, verifyOne, errorMessage} from './common.mjs';

runMain(async () => {
  const {credentials = [], documents = {}, now} = await readStdinJson();
  if(!Array.isArray(credentials)) {
    throw new TypeError('"credentials" must be an array');
  }
  const documentLoader = makeDocumentLoader({documents});
  const results = [];
  // Sequential on purpose: results stay in input order and one bad credential cannot starve the others.
  for(const credential of credentials) {
    try {
      results.push(await verifyOne({credential, documentLoader, now}));
    } catch(e) {
      // verifyCredential normally reports errors in its result; anything thrown is still a "no".
      results.push({verified: false, error: errorMessage(e), status: null});
    }
  }
  process.stdout.write(JSON.stringify({results}) + '\n');
});
