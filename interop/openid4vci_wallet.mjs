// A wallet, played by the OpenWallet Foundation's OpenID4VCI 1.0 client (@openid4vc/openid4vci), against a live
// server over real HTTP: resolve the offer, read the issuer and authorization server metadata, redeem the
// pre-authorized code (with the transaction code), get a c_nonce, prove possession of the holder key with a
// `jwt` key proof, receive each offered credential. Keys are made and JWTs signed by panva's `jose`.
//
// stdin: {"offer_uri", "tx_code", "holder": "did:key" | "did:jwk" | "jwk", "configurations": [ids]|null,
//         "scenario": "ok" | "tamper_proof" | "reuse_code" | "reuse_nonce" | "wrong_audience"}
// stdout: {"version", "holder", "credentials": {id: credential}, "errors": [{step, error, status}]}
import {webcrypto} from 'node:crypto';
import {CompactSign, exportJWK, generateKeyPair} from 'jose';
import {Openid4vciClient, Openid4vciRetrieveCredentialsError} from '@openid4vc/openid4vci';
import {setGlobalConfig} from '@openid4vc/utils';
import {readStdinJson, runMain} from './common.mjs';

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes) {
  let n = BigInt('0x' + (Buffer.from(bytes).toString('hex') || '0'));
  let out = '';
  while (n > 0n) {
    out = B58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = '1' + out;
  }
  return out;
}

async function holderKey(kind) {
  // did:key is Ed25519 (multicodec 0xed01); did:jwk and a bare jwk use P-256 (ES256), to exercise both curves.
  const alg = kind === 'did:key' ? 'EdDSA' : 'ES256';
  const {privateKey, publicKey} = await generateKeyPair(alg, {crv: alg === 'EdDSA' ? 'Ed25519' : 'P-256',
    extractable: true});
  const jwk = await exportJWK(publicKey);
  if (kind === 'did:key') {
    const raw = Buffer.from(jwk.x, 'base64url');
    const did = 'did:key:z' + base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), raw]));
    return {alg, privateKey, jwk, did, signer: {method: 'did', didUrl: `${did}#${did.slice(8)}`, alg}};
  }
  const publicJwk = alg === 'ES256' ? {crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y} : jwk;
  if (kind === 'did:jwk') {
    const did = 'did:jwk:' + Buffer.from(JSON.stringify(publicJwk)).toString('base64url');
    return {alg, privateKey, jwk, did, signer: {method: 'did', didUrl: `${did}#0`, alg}};
  }
  return {alg, privateKey, jwk, did: null, signer: {method: 'jwk', publicJwk, alg}};
}

function tamper(jwt) {
  const [h, p, s] = jwt.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  payload.iat = payload.iat - 1;  // any change to what was signed
  return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
}

async function main() {
  const input = await readStdinJson();
  setGlobalConfig({allowInsecureUrls: true});  // the live test server is plain HTTP on loopback
  const holder = await holderKey(input.holder || 'did:key');
  const errors = [];
  const callbacks = {
    fetch,
    generateRandom: n => webcrypto.getRandomValues(new Uint8Array(n)),
    hash: async (data, alg) => new Uint8Array(await webcrypto.subtle.digest(alg.replace('sha-', 'SHA-'), data)),
    signJwt: async (signer, {header, payload}) => {
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader(header).sign(holder.privateKey);
      return {jwt, signerJwk: holder.jwk};
    },
    clientAuthentication: () => {},
  };
  const client = new Openid4vciClient({callbacks});
  const offer = await client.resolveCredentialOffer(input.offer_uri);
  const issuerMetadata = await client.resolveIssuerMetadata(offer.credential_issuer);
  const txCode = input.tx_code ?? undefined;
  let token;
  try {
    token = await client.retrievePreAuthorizedCodeAccessTokenFromOffer({credentialOffer: offer, issuerMetadata,
      txCode});
  } catch (e) {
    errors.push({step: 'token', error: e.errorResponse?.error ?? String(e.message), status: e.response?.status});
    process.stdout.write(JSON.stringify({version: issuerMetadata.originalDraftVersion, errors, credentials: {}}));
    return;
  }
  if (input.scenario === 'reuse_code') {
    try {
      await client.retrievePreAuthorizedCodeAccessTokenFromOffer({credentialOffer: offer, issuerMetadata, txCode});
      errors.push({step: 'token_again', error: null});
    } catch (e) {
      errors.push({step: 'token_again', error: e.errorResponse?.error ?? String(e.message),
        status: e.response?.status});
    }
  }
  const credentials = {};
  let nonce = null;
  for (const configurationId of input.configurations ?? offer.credential_configuration_ids) {
    if (nonce === null || input.scenario !== 'reuse_nonce') {
      nonce = (await client.requestNonce({issuerMetadata})).c_nonce;
    }
    let {jwt} = await client.createCredentialRequestJwtProof({
      issuerMetadata, credentialConfigurationId: configurationId, signer: holder.signer, nonce,
      issuedAt: new Date()});
    if (input.scenario === 'tamper_proof') jwt = tamper(jwt);
    if (input.scenario === 'wrong_audience') {
      const [h] = jwt.split('.');
      const header = JSON.parse(Buffer.from(h, 'base64url'));
      jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify({
        aud: 'https://autre-emetteur.example', iat: Math.floor(Date.now() / 1000), nonce})))
        .setProtectedHeader(header).sign(holder.privateKey);
    }
    try {
      const response = await client.retrieveCredentials({issuerMetadata, accessToken:
        token.accessTokenResponse.access_token, credentialConfigurationId: configurationId,
        proofs: {jwt: [jwt]}});
      credentials[configurationId] = response.credentialResponse.credentials[0].credential;
    } catch (e) {
      const body = e instanceof Openid4vciRetrieveCredentialsError ? e.response?.credentialErrorResponseResult?.data
        : null;
      errors.push({step: `credential:${configurationId}`, error: body?.error ?? String(e.message),
        status: e.response?.response?.status});
    }
  }
  process.stdout.write(JSON.stringify({version: issuerMetadata.originalDraftVersion, holder: holder.did,
    holder_jwk: holder.jwk, credentials, errors, offer}));
}

runMain(main);
