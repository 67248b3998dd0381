// Issue/verify timings for Digital Bazaar's eddsa-rdfc-2022 stack, as the reference the Python benchmark
// compares against.
// stdin:  {"credential": <unsigned vc>, "iterations": N, "repeats": R (default 1),
//          "seed": "<32-byte hex, optional>", "created": "<proof date, optional>"}
// stdout: {"issue_ms_per_credential", "verify_ms_per_credential" (medians over the R repeats),
//          "issue_ms_runs", "verify_ms_runs", "iterations", "repeats", "node", "signed"}
// With the caller's seed and date, "signed" is the exact credential the caller signed, so the caller can
// check that both sides time the same work. Times are for a warm process (contexts already processed by
// jsonld's cache), i.e. a long-running service, not for Node start-up. Each operation builds its own suite,
// as an issuer/verifier handling distinct requests would, so no per-suite hash cache is reused.
import {performance} from 'node:perf_hooks';
import {makeDocumentLoader} from './loader.mjs';
import {
  issue, makeDidKeyIssuer, makeSigningSuite, readStdinJson, runMain, seedBytes, verifyOne, withIssuer,
} from './common.mjs';

const WARMUP = 5;

const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = x => Number(x.toFixed(3));

async function msPerCall(n, fn) {
  const t0 = performance.now();
  for(let i = 0; i < n; i++) {
    await fn();
  }
  return (performance.now() - t0) / n;
}

runMain(async () => {
  const {credential, iterations = 100, repeats = 1, seed, created} = await readStdinJson();
  const n = Number(iterations);
  const r = Number(repeats);
  if(!credential || !Number.isInteger(n) || n < 1 || !Number.isInteger(r) || r < 1) {
    throw new TypeError('need "credential" and positive integers "iterations" (and "repeats")');
  }
  const {keyPair, did} = await makeDidKeyIssuer({seed: seedBytes(seed)});
  const date = created ? new Date(created) : undefined;
  const documentLoader = makeDocumentLoader();
  const unsigned = withIssuer(credential, did);
  const sign = () => issue({
    credential: structuredClone(unsigned), signingSuite: makeSigningSuite({keyPair, date}), documentLoader,
  });
  let signed;
  const verify = async () => {
    const result = await verifyOne({credential: signed, documentLoader});
    if(!result.verified) {
      throw new Error(`benchmark credential does not verify: ${result.error}`);
    }
  };

  for(let i = 0; i < WARMUP; i++) {
    signed = await sign();
    await verify();
  }
  const issueRuns = [];
  const verifyRuns = [];
  for(let i = 0; i < r; i++) {
    issueRuns.push(await msPerCall(n, async () => {
      signed = await sign();
    }));
    verifyRuns.push(await msPerCall(n, verify));
  }

  process.stdout.write(JSON.stringify({
    issue_ms_per_credential: round(median(issueRuns)),
    verify_ms_per_credential: round(median(verifyRuns)),
    issue_ms_runs: issueRuns.map(round),
    verify_ms_runs: verifyRuns.map(round),
    iterations: n,
    repeats: r,
    node: process.version,
    signed,
  }) + '\n');
});
