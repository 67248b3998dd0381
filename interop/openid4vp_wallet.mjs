// A wallet answering an OpenID4VP 1.0 request, played by the OpenWallet Foundation's @openid4vc/openid4vp client
// over real HTTP against a live server: parse and resolve the `openid4vp://` request (DCQL, `redirect_uri:` client
// identifier), present the credential in an ldp_vc Verifiable Presentation signed by Digital Bazaar's
// @digitalbazaar/vc (eddsa-rdfc-2022, challenge = nonce, domain = client_id), answer by `direct_post`.
//
// stdin: {"request_uri", "credential", "seed": <holder Ed25519 seed, hex>, "scenario": "ok" | "replay" |
//         "other_request", "other_request_uri"}
// stdout: {"dcql": <query>, "client_id", "posts": [{"status", "body"}]}
import {webcrypto} from 'node:crypto';
import * as vc from '@digitalbazaar/vc';
import {Openid4vpClient} from '@openid4vc/openid4vp';
import {setGlobalConfig} from '@openid4vc/utils';
import {makeDocumentLoader} from './loader.mjs';
import {makeDidKeyIssuer, makeSigningSuite, readStdinJson, runMain, seedBytes} from './common.mjs';

const callbacks = {
  fetch,
  hash: async (data, alg) => new Uint8Array(await webcrypto.subtle.digest(alg.replace('sha-', 'SHA-'), data)),
};

async function resolve(client, uri) {
  const parsed = client.parseOpenid4vpAuthorizationRequest({authorizationRequest: uri});
  return client.resolveOpenId4vpAuthorizationRequest({authorizationRequestPayload: parsed.params});
}

async function present({credential, seed, nonce, clientId}) {
  const {keyPair, did} = await makeDidKeyIssuer({seed: seedBytes(seed)});
  const presentation = {'@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiablePresentation'],
    holder: did, verifiableCredential: [credential]};
  return vc.signPresentation({presentation, suite: makeSigningSuite({keyPair}), challenge: nonce,
    domain: clientId, documentLoader: makeDocumentLoader()});
}

async function post(client, request, presentation) {
  const {authorizationResponsePayload} = await client.createOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request.authorizationRequestPayload,
    authorizationResponsePayload: {vp_token: {[request.dcql.query.credentials[0].id]: [presentation]}}});
  const {response} = await client.submitOpenid4vpAuthorizationResponse({
    authorizationRequestPayload: request.authorizationRequestPayload, authorizationResponsePayload});
  return {status: response.status, body: await response.json().catch(() => null)};
}

runMain(async () => {
  const input = await readStdinJson();
  setGlobalConfig({allowInsecureUrls: true});  // the live test server is plain HTTP on loopback
  const client = new Openid4vpClient({callbacks});
  const request = await resolve(client, input.request_uri);
  const payload = request.authorizationRequestPayload;
  const presentation = await present({credential: input.credential, seed: input.seed, nonce: payload.nonce,
    clientId: payload.client_id});
  const posts = [];
  if (input.scenario === 'other_request') {
    // A presentation made for this request, sent to another one (its own nonce and client id differ).
    posts.push(await post(client, await resolve(client, input.other_request_uri), presentation));
  } else {
    posts.push(await post(client, request, presentation));
    if (input.scenario === 'replay') posts.push(await post(client, request, presentation));
  }
  process.stdout.write(JSON.stringify({dcql: request.dcql?.query, client_id: payload.client_id,
    client: request.client, posts}));
});
