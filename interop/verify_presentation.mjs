// Verify a Verifiable Presentation and/or a ClrCredential with Digital Bazaar's libraries, offline.
// stdin:  {"presentation": vp?, "challenge": "...", "domain": "...", "clr": clrCredential?,
//          "documents": {url: doc, ...}, "now": "<ISO date, optional>"}
// stdout: {"presentation": {"verified", "error", "credentials": [bool, ...]} | null,
//          "clr": {"verified", "error", "credentials": [bool, ...]} | null}
// The presentation is checked with its AuthenticationProofPurpose (challenge, domain) and every credential it
// embeds with its own issuer's key and status list; the ClrCredential's own proof is checked, then each
// credential of its ClrSubject separately, as a relying party would.
import * as vc from '@digitalbazaar/vc';
import {checkStatus as checkBitstringStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {makeDocumentLoader} from './loader.mjs';
import {readStdinJson, runMain, verifyOne, verificationSuites, errorMessage} from './common.mjs';

runMain(async () => {
  const {presentation, challenge, domain, clr, documents = {}, now} = await readStdinJson();
  const documentLoader = makeDocumentLoader({documents});
  const suite = verificationSuites();
  const out = {presentation: null, clr: null};
  if(presentation) {
    const options = {
      presentation, challenge, domain, suite, documentLoader,
      checkStatus: ({credential}) => checkBitstringStatus({credential, suite, documentLoader}),
    };
    if(now) {
      options.now = now;
    }
    const result = await vc.verify(options);
    const credentials = (result.credentialResults ?? []).map(r => r.verified === true);
    out.presentation = {
      verified: result.verified === true,
      error: result.verified ? null : (errorMessage(result.error) ??
        errorMessage(result.presentationResult?.error) ?? 'not verified'),
      credentials,
    };
  }
  if(clr) {
    const own = await verifyOne({credential: clr, documentLoader, now});
    const inner = [].concat(clr.credentialSubject?.verifiableCredential ?? []);
    const credentials = [];
    for(const credential of inner) {
      credentials.push((await verifyOne({credential, documentLoader, now})).verified);
    }
    out.clr = {...own, credentials};
  }
  process.stdout.write(JSON.stringify(out) + '\n');
});
