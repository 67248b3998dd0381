// Sign (and verify) VC-JWTs with panva's `jose`, an implementation independent of ours, for the interop tests.
// stdin: {"jobs": [{"op": "sign", "jwk": <private JWK>, "alg": "EdDSA"|"ES256"|"RS256", "header": {...},
//                   "payload": {...}}, {"op": "verify", "jwk": <public JWK>, "alg": ..., "token": "..."}]}
// stdout: {"results": [{"token": "..."} | {"verified": true, "payload": {...}} | {"verified": false, "error": "..."}]}
// The payload is signed as given: JWT claims with `vc` (OB 3.0 §8.2), or the credential itself (VC-JOSE-COSE).
import {CompactSign, importJWK, jwtVerify} from 'jose';
import {readStdinJson, runMain} from './common.mjs';

async function sign(job) {
  const key = await importJWK(job.jwk, job.alg);
  const bytes = new TextEncoder().encode(JSON.stringify(job.payload));
  const token = await new CompactSign(bytes).setProtectedHeader({alg: job.alg, ...job.header}).sign(key);
  return {token};
}

async function verify(job) {
  const key = await importJWK(job.jwk, job.alg);
  try {
    const {payload} = await jwtVerify(job.token, key, {algorithms: [job.alg]});
    return {verified: true, payload};
  } catch(e) {
    return {verified: false, error: `${e.code ?? e.name}: ${e.message}`};
  }
}

runMain(async () => {
  const {jobs} = await readStdinJson();
  const results = [];
  for(const job of jobs) {
    results.push(job.op === 'verify' ? await verify(job) : await sign(job));
  }
  process.stdout.write(JSON.stringify({results}));
});
