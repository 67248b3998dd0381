// Issue/verify timings for Digital Bazaar's eddsa-rdfc-2022 stack, as the reference the Python benchmark
// compares against. stdin: {"credential": <unsigned vc>, "iterations": N}
// stdout: {"issue_ms_per_credential", "verify_ms_per_credential", "iterations", "node"}
// Times are for a warm process (contexts already processed by jsonld's cache), i.e. a long-running service,
// not for Node start-up. Each operation builds its own suite, as an issuer/verifier handling distinct
// requests would, so no per-suite hash cache is reused.
import {performance} from 'node:perf_hooks';
import {makeDocumentLoader} from './loader.mjs';
import {
  issue, makeDidKeyIssuer, makeSigningSuite, readStdinJson, runMain, verifyOne, withIssuer,
} from './common.mjs';

const WARMUP = 5;

runMain(async () => {
  const {credential, iterations = 100} = await readStdinJson();
  const n = Number(iterations);
  if(!credential || !Number.isInteger(n) || n < 1) {
    throw new TypeError('need "credential" and a positive integer "iterations"');
  }
  const {keyPair, did} = await makeDidKeyIssuer();
  const documentLoader = makeDocumentLoader();
  const unsigned = withIssuer(credential, did);
  const sign = () => issue({
    credential: structuredClone(unsigned), signingSuite: makeSigningSuite({keyPair}), documentLoader,
  });
  const verify = async signed => {
    const r = await verifyOne({credential: signed, documentLoader});
    if(!r.verified) {
      throw new Error(`benchmark credential does not verify: ${r.error}`);
    }
  };

  let signed;
  for(let i = 0; i < WARMUP; i++) {
    signed = await sign();
    await verify(signed);
  }

  let t0 = performance.now();
  for(let i = 0; i < n; i++) {
    signed = await sign();
  }
  const issueMs = (performance.now() - t0) / n;

  t0 = performance.now();
  for(let i = 0; i < n; i++) {
    await verify(signed);
  }
  const verifyMs = (performance.now() - t0) / n;

  process.stdout.write(JSON.stringify({
    issue_ms_per_credential: Number(issueMs.toFixed(3)),
    verify_ms_per_credential: Number(verifyMs.toFixed(3)),
    iterations: n,
    node: process.version,
  }) + '\n');
});
