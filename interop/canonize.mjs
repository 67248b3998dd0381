// RDFC-1.0 canonical N-Quads of JSON-LD documents by jsonld.js (Digital Bazaar), offline, in safe mode as
// the eddsa-rdfc-2022 cryptosuite runs it. The Python tests compare its output with ours, byte for byte.
// stdin:  {"documents": [doc, ...], "contexts": {url: context document, ...} (contexts no npm package ships)}
// stdout: {"nquads": ["<canonical N-Quads>" | {"error": "<message>"}, ...]}
import jsonld from 'jsonld';
import {makeDocumentLoader} from './loader.mjs';
import {errorMessage, readStdinJson, runMain} from './common.mjs';

runMain(async () => {
  const {documents = [], contexts = {}} = await readStdinJson();
  if(!Array.isArray(documents)) {
    throw new TypeError('"documents" must be an array');
  }
  const documentLoader = makeDocumentLoader({documents: contexts});
  const nquads = [];
  for(const document of documents) {
    try {
      nquads.push(await jsonld.canonize(document, {
        algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true,
      }));
    } catch(e) {
      nquads.push({error: errorMessage(e)});
    }
  }
  process.stdout.write(JSON.stringify({nquads}) + '\n');
});
