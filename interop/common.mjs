// Pieces shared by sign/verify/bench/vector, so that every script signs and verifies in exactly the same
// way and the benchmark measures the code path the tests exercise.
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';
import {driver as didKeyDriver} from '@digitalbazaar/did-method-key';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';

export const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
export const SUITE_EDDSA = 'eddsa-rdfc-2022';
export const SUITE_2020 = 'Ed25519Signature2020';

export async function readStdinJson() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : {};
}

// Run a script's main(); failures go to stderr with a non-zero exit so the Python side sees the reason.
export function runMain(main) {
  main().catch(e => {
    // Digest first (jsonld hides the loader's reason in details.cause), then the stack for debugging.
    process.stderr.write(`${errorMessage(e)}\n${e?.stack ?? ''}\n`);
    process.exit(1);
  });
}

// jsonld-signatures wraps proof failures in a VerificationError whose own message is only
// "Verification error(s)."; the useful text is in .errors. jsonld wraps loader failures in a long generic
// "Dereferencing a URL did not result in a valid JSON-LD object..." whose real reason is details.cause.
export function errorMessage(error) {
  if(!error) {
    return null;
  }
  if(Array.isArray(error.errors) && error.errors.length > 0) {
    return error.errors.map(errorMessage).join('; ');
  }
  const jsonldCause = error.details?.cause;
  if(jsonldCause) {
    return `${error.details.code ?? error.name}: ${errorMessage(jsonldCause)}`;
  }
  const event = error.details?.event;
  if(event) {
    // jsonld "safe mode" rejections: name the offending property instead of a bare "Safe mode ... error."
    return `${error.message} ${event.message} ${JSON.stringify(event.details ?? {})}`;
  }
  const msg = error.message ?? String(error);
  return error.cause?.message && !msg.includes(error.cause.message) ? `${msg} (${error.cause.message})` : msg;
}

export function seedBytes(seedHex) {
  if(seedHex === undefined || seedHex === null) {
    return undefined;
  }
  if(!/^[0-9a-fA-F]{64}$/.test(seedHex)) {
    throw new Error('"seed" must be 32 bytes of hex');
  }
  return Uint8Array.from(Buffer.from(seedHex, 'hex'));
}

/**
 * A did:key issuer: the signing key pair (id = did#fingerprint, controller = did) and its DID document.
 * Multikey for eddsa-rdfc-2022; Ed25519VerificationKey2020 for the legacy suite, whose signer checks the key
 * class and whose DID document then also lists the derived X25519 key (x25519-2020 context).
 */
export async function makeDidKeyIssuer({seed, suite = SUITE_EDDSA} = {}) {
  const KeyClass = suite === SUITE_2020 ? Ed25519VerificationKey2020 : Ed25519Multikey;
  const keyPair = await KeyClass.generate({seed});
  const driver = didKeyDriver();
  driver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: KeyClass.from});
  const {didDocument} = await driver.fromKeyPair({verificationKeyPair: keyPair});
  // fromKeyPair() re-imports the public half only; give our secret-bearing pair the same identifiers.
  keyPair.controller = didDocument.id;
  keyPair.id = didDocument.assertionMethod[0];
  return {keyPair, did: didDocument.id, didDocument};
}

export function makeSigningSuite({keyPair, suite = SUITE_EDDSA, date}) {
  if(suite === SUITE_2020) {
    return new Ed25519Signature2020({key: keyPair, date});
  }
  if(suite !== SUITE_EDDSA) {
    throw new Error(`unsupported suite "${suite}" (use ${SUITE_EDDSA} or ${SUITE_2020})`);
  }
  return new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: eddsaRdfc2022, date});
}

// Prepare a copy of the credential for issuance by `did`: the issuer must equal the verification method's
// controller or Digital Bazaar's CredentialIssuancePurpose rejects the proof.
export function withIssuer(credential, did, suite = SUITE_EDDSA) {
  const copy = structuredClone(credential);
  if(copy.issuer && typeof copy.issuer === 'object') {
    copy.issuer.id = did;
  } else {
    copy.issuer = did;
  }
  if(suite === SUITE_2020) {
    const ctx = [].concat(copy['@context'] ?? []);
    if(!ctx.includes(ED25519_2020_CONTEXT)) {
      copy['@context'] = [...ctx, ED25519_2020_CONTEXT];
    }
  }
  return copy;
}

export function issue({credential, signingSuite, documentLoader}) {
  return vc.issue({credential, suite: signingSuite, documentLoader});
}

// One suite list for verification: a proof is checked by whichever suite matches its type/cryptosuite.
export function verificationSuites() {
  return [new DataIntegrityProof({cryptosuite: eddsaRdfc2022}), new Ed25519Signature2020()];
}

function hasBitstringEntry(credential) {
  return [].concat(credential?.credentialStatus ?? []).some(s => s?.type === 'BitstringStatusListEntry');
}

/**
 * Verify one credential. Returns {verified, error, status}. A set revocation/suspension bit makes the
 * result false: Digital Bazaar's checkStatus reports `verified: true` with `status: true` for a revoked
 * entry, because it only validates that the status could be checked.
 */
export async function verifyOne({credential, documentLoader, now}) {
  const suite = verificationSuites();
  const options = {credential, suite, documentLoader};
  if(now) {
    options.now = now;
  }
  const bitstring = hasBitstringEntry(credential);
  if(bitstring) {
    options.checkStatus = () => checkBitstringStatus({credential, suite, documentLoader});
  } else if(credential?.credentialStatus) {
    // @digitalbazaar/vc refuses a credentialStatus without a checker; other status types are not checked.
    options.checkStatus = async () => ({verified: true, skipped: true});
  }
  const result = await vc.verifyCredential(options);
  let error = errorMessage(result.error);
  let status = null;
  if(bitstring && result.statusResult) {
    if(!result.statusResult.verified) {
      error = error ?? `status check failed: ${errorMessage(result.statusResult.error)}`;
    } else {
      status = result.statusResult.results.map(r => ({
        statusPurpose: r.credentialStatus.statusPurpose, status: r.status,
      }));
      const set = status.filter(s => s.status && ['revocation', 'suspension'].includes(s.statusPurpose));
      if(set.length > 0 && result.verified) {
        result.verified = false;
        error = `credential status set: ${set.map(s => s.statusPurpose).join(', ')}`;
      }
    }
  }
  if(!result.verified && !error) {
    error = 'not verified (no error reported)';
  }
  return {verified: result.verified === true, error: result.verified ? null : error, status};
}
