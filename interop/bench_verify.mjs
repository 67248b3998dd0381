// Digital Bazaar's verifyCredential throughput on one credential, status list included, for the verification
// API benchmark (bench/verify_api.py), in one warm Node process.
// stdin:  {"credential": vc, "documents": {url: doc}, "seconds": S}
// stdout: {"verifications_per_s", "verifications", "seconds", "node"}; exit 1 if the credential does not verify.
import {performance} from 'node:perf_hooks';
import {makeDocumentLoader} from './loader.mjs';
import {readStdinJson, runMain, verifyOne} from './common.mjs';

runMain(async () => {
  const {credential, documents = {}, seconds = 10} = await readStdinJson();
  const documentLoader = makeDocumentLoader({documents});
  const once = async () => {
    const result = await verifyOne({credential, documentLoader});
    if(!result.verified) {
      throw new Error(`benchmark credential does not verify: ${result.error}`);
    }
  };
  for(let i = 0; i < 5; i++) {
    await once();
  }
  let count = 0;
  const t0 = performance.now();
  while(performance.now() - t0 < seconds * 1000) {
    await once();
    count++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({
    verifications_per_s: Number((count / elapsed).toFixed(1)), verifications: count,
    seconds: Number(elapsed.toFixed(2)), node: process.version,
  }) + '\n');
});
