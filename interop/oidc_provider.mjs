// A real OpenID Connect provider (panva's oidc-provider) for the single sign-on tests. Never used at run time.
//
//   node interop/oidc_provider.mjs --port 0 --client-id ID --client-secret SECRET \
//        --redirect-uri URL [--post-logout-redirect-uri URL] [--jwk private-rsa-jwk.json]
//
// Listens on 127.0.0.1 only. Prints one JSON line {"ready": true, "issuer": "..."} once it accepts
// connections. One confidential client (client_secret_post, authorization code, PKCE required), RS256 ID
// tokens signed with the given private JWK (or a fresh key), and a tiny interaction: a sign-in form that
// checks the test accounts' passwords and grants the requested scopes (the client is first-party).
// Options may also come from the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_REDIRECT_URI, OIDC_JWK.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '0' },
    'client-id': { type: 'string', default: process.env.OIDC_CLIENT_ID },
    'client-secret': { type: 'string', default: process.env.OIDC_CLIENT_SECRET },
    'redirect-uri': { type: 'string', default: process.env.OIDC_REDIRECT_URI },
    'post-logout-redirect-uri': { type: 'string', default: process.env.OIDC_POST_LOGOUT_REDIRECT_URI },
    jwk: { type: 'string', default: process.env.OIDC_JWK },
  },
});
for (const required of ['client-id', 'client-secret', 'redirect-uri']) {
  if (!args[required]) {
    process.stderr.write(`--${required} is required\n`);
    process.exit(2);
  }
}

// Test accounts: login -> password and claims. "dominique" has an email the provider has not verified.
const ACCOUNTS = {
  camille: {
    password: 'motdepasse-fournisseur',
    claims: {
      email: 'camille.dupont@ville-exemple.fr', email_verified: true,
      given_name: 'Camille', family_name: 'Dupont', name: 'Camille Dupont',
    },
  },
  dominique: {
    password: 'motdepasse-fournisseur',
    claims: {
      email: 'dominique.martin@ville-exemple.fr', email_verified: false,
      given_name: 'Dominique', family_name: 'Martin', name: 'Dominique Martin',
    },
  },
};

async function signingKey() {
  if (args.jwk) {
    return JSON.parse(readFileSync(args.jwk, 'utf8'));
  }
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
}

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, { login = '', error = '' } = {}) {
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Fournisseur d'identité de test</title></head>
<body><main><h1>Fournisseur d'identité de test</h1>
${error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login" id="login-form">
<label for="login">Identifiant</label> <input id="login" name="login" autocomplete="username" value="${escapeHtml(login)}">
<label for="password">Mot de passe</label> <input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Se connecter</button>
</form></main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function grantFor(provider, details, accountId) {
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  return grant.save();
}

async function main() {
  const port = Number.parseInt(args.port, 10);
  const key = await signingKey();
  const client = {
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: [args['redirect-uri']],
    post_logout_redirect_uris: args['post-logout-redirect-uri'] ? [args['post-logout-redirect-uri']] : [],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'RS256',
  };

  // The issuer needs the port; with --port 0 a free one is found first.
  const server = (await import('node:http')).createServer();
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: [key] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name'],
    },
    async findAccount(_ctx, id) {
      const account = ACCOUNTS[id];
      if (!account) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
    },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => true }, // the client must send a code_challenge, S256
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AuthorizationCode: 60, AccessToken: 300, IdToken: 300 },
  });

  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([^/]+)(\/login)?$/.exec(ctx.path);
    if (!match) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.set('Cache-Control', 'no-store');
    if (ctx.method === 'GET' && !match[2]) {
      if (details.prompt.name === 'login') {
        ctx.type = 'html';
        ctx.body = loginPage(details.uid);
        return undefined;
      }
      // consent: granted on behalf of the first-party client
      const grantId = await grantFor(provider, details, details.session.accountId);
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } },
        { mergeWithLastSubmission: true });
      ctx.status = 303;
      return ctx.redirect(returnTo);
    }
    if (ctx.method === 'POST' && match[2]) {
      const form = await readForm(ctx.req);
      const login = form.get('login') ?? '';
      const account = Object.hasOwn(ACCOUNTS, login) ? ACCOUNTS[login] : undefined;
      if (!account || account.password !== form.get('password')) {
        ctx.status = 200;
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, { login, error: 'Identifiant ou mot de passe incorrect.' });
        return undefined;
      }
      const grantId = await grantFor(provider, details, login);
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
        login: { accountId: login },
        consent: { grantId },
      }, { mergeWithLastSubmission: false });
      ctx.status = 303;
      return ctx.redirect(returnTo);
    }
    ctx.status = 405;
    return undefined;
  });

  // Refusals are logged to stderr, so a failing test can show why the provider said no.
  for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'end_session.error',
    'server_error']) {
    provider.on(event, (_ctx, error) => {
      process.stderr.write(`${event}: ${error?.error_description ?? ''} ${error?.cause?.message ?? error?.message ?? ''}\n`);
    });
  }
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ ready: true, issuer })}\n`);
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
