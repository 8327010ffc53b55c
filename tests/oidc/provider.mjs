// Local OpenID Connect provider for Shipshape's "Log in with <provider>" tests.
//
// TEST-ONLY. Plain http on loopback, in-memory storage, a fixed account table
// and a password rule anyone can read below. Never deploy this.
//
//   OIDC_REDIRECT_URIS=http://127.0.0.1:3000/auth/oidc/callback node provider.mjs
//
// Environment:
//   OIDC_PORT                 port on 127.0.0.1 (0 or unset: pick a free one)
//   OIDC_CLIENT_ID            default "shipshape"
//   OIDC_CLIENT_SECRET        default "shipshape-secret"
//   OIDC_REDIRECT_URIS        comma-separated, required
//   OIDC_POST_LOGOUT_REDIRECT_URIS  comma-separated, optional (RP-initiated logout)
//   OIDC_USERNAMES            "sid:olivia,...": the preferred_username each
//                             login claims instead of its own (a person who
//                             renamed themselves at the provider)
//   OIDC_SSO                  "1": reuse the provider session (no login form on a
//                             second authorization in the same browser). Default:
//                             every authorization request shows the login form.
//
// Once listening it prints exactly one line to stdout:  OIDC_READY <issuer>
// Everything else (oidc-provider notices and warnings, errors) goes to stderr.
//
// Accounts: olivia, max, sid, ivan. Password: "<login>-pass" (e.g. olivia-pass).
// Login form: input[name=login], input[name=password], button[type=submit] "Sign in".
// Consent is granted automatically: one form, then straight back to the client.

import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';

// oidc-provider writes its NOTICE lines with console.info (stdout). Keep stdout
// for the single OIDC_READY line: send console output to stderr before loading it.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const { default: Provider, interactionPolicy, errors } = await import('oidc-provider');

// ---------------------------------------------------------------- accounts

export const ACCOUNTS = {
  olivia: { name: 'Olivia Admin', email: 'olivia@example.test', groups: ['trino-admins'] },
  max: { name: 'Max Manager', email: 'max@example.test', groups: ['trino-managers'] },
  sid: { name: 'Sid Sre', email: 'sid@example.test', groups: ['trino-sres'] },
  ivan: { name: 'Ivan Intern', email: 'ivan@example.test', groups: ['interns'] },
};

function lookupAccount(id) {
  return Object.prototype.hasOwnProperty.call(ACCOUNTS, id) ? ACCOUNTS[id] : undefined;
}

function claimedName(id) {
  const renames = new Map(
    splitList(process.env.OIDC_USERNAMES).map((pair) => pair.split(':').map((s) => s.trim())),
  );
  return renames.get(id) || id;
}

async function findAccount(_ctx, id) {
  const account = lookupAccount(id);
  if (!account) return undefined;
  return {
    accountId: id,
    // oidc-provider filters these by the granted scopes/claims.
    async claims() {
      return {
        sub: id,
        preferred_username: claimedName(id),
        name: account.name,
        email: account.email,
        groups: [...account.groups],
      };
    },
  };
}

// ---------------------------------------------------------------- config

function splitList(value) {
  return (value || '').split(',').map((s) => s.trim()).filter(Boolean);
}

const clientId = process.env.OIDC_CLIENT_ID || 'shipshape';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'shipshape-secret';
const redirectUris = splitList(process.env.OIDC_REDIRECT_URIS);
const postLogoutRedirectUris = splitList(process.env.OIDC_POST_LOGOUT_REDIRECT_URIS);
const sso = process.env.OIDC_SSO === '1';
const port = Number.parseInt(process.env.OIDC_PORT || '0', 10);

if (redirectUris.length === 0) {
  console.error('provider.mjs: OIDC_REDIRECT_URIS is required (comma-separated list)');
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`provider.mjs: bad OIDC_PORT ${JSON.stringify(process.env.OIDC_PORT)}`);
  process.exit(2);
}

// A fresh RS256 signing key per run (nothing secret in the repository); the
// ID token verifies against the public half served at /jwks.
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });
signingKey.kid = `shipshape-test-${Date.now().toString(36)}`;
signingKey.use = 'sig';
signingKey.alg = 'RS256';

// Login on every authorization request unless OIDC_SSO=1, so a test that logs
// out of the app and logs in again as someone else gets the form again.
const policy = interactionPolicy.base();
if (!sso) {
  policy.get('login').checks.push(new interactionPolicy.Check(
    'fresh_login',
    'every authorization request needs a fresh login (test provider)',
    'login_required',
    (ctx) => !ctx.oidc.result?.login,
  ));
}

const server = http.createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', () => {
    server.off('error', reject);
    resolve();
  });
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  }],
  jwks: { keys: [signingKey] },
  findAccount,
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email'],
    groups: ['groups'],
  },
  // Put the scope-derived claims (preferred_username, name, email, groups)
  // in the ID token itself, not only in userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => true }, // S256 is the only method oidc-provider 9 accepts
  responseTypes: ['code'],
  // Explicit lifetimes (seconds); also silences oidc-provider's ttl notices.
  ttl: {
    AuthorizationCode: 60,
    AccessToken: 3600,
    IdToken: 3600,
    Interaction: 3600,
    Grant: 3600,
    Session: 3600,
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  interactions: {
    policy,
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  cookies: {
    // Plain http: oidc-provider only marks cookies Secure when the request is
    // https, so nothing else is needed for http://127.0.0.1.
    keys: ['shipshape-test-oidc-cookie-key'],
  },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<h1>OIDC error</h1>
<p id="error">${esc(out.error)}</p>
<p id="error_description">${esc(out.error_description || '')}</p>`);
  },
});

for (const event of [
  'server_error', 'authorization.error', 'grant.error', 'userinfo.error',
  'jwks.error', 'discovery.error', 'end_session.error', 'end_session_confirm.error',
  'revocation.error', 'introspection.error',
]) {
  provider.on(event, (_ctx, err) => {
    console.error(`oidc ${event}: ${err?.error || err?.name || 'error'}: ${err?.error_description || err?.message || ''}${err?.error_detail ? ` (${err.error_detail})` : ''}`);
    if (event === 'server_error' && err?.stack) console.error(err.stack);
  });
}

// ---------------------------------------------------------------- interactions

function esc(value) {
  return String(value)
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
${body}
</body>
</html>
`;
}

function loginPage(uid, { login = '', error } = {}) {
  return page('Sign in - Shipshape test OIDC', `<h1>Sign in</h1>
<p>Shipshape test identity provider</p>
${error ? `<p id="login-error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${esc(uid)}" autocomplete="off">
  <label>Username <input type="text" id="login" name="login" value="${esc(login)}" required autofocus></label>
  <label>Password <input type="password" id="password" name="password" required></label>
  <button type="submit" id="submit">Sign in</button>
</form>`);
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Grant everything that was asked for: requested OIDC scopes and any claims
// from the `claims` request parameter, plus whatever the consent prompt lists.
async function autoGrant(details, accountId) {
  const { params, grantId } = details;
  const grant = (grantId && await provider.Grant.find(grantId))
    || new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope || 'openid'));
  const wanted = new Set(details.prompt?.details?.missingOIDCClaims || []);
  if (params.claims) {
    try {
      const requested = JSON.parse(params.claims);
      for (const part of ['id_token', 'userinfo']) {
        for (const name of Object.keys(requested?.[part] || {})) wanted.add(name);
      }
    } catch { /* malformed claims parameter: oidc-provider rejects it earlier */ }
  }
  if (wanted.size) grant.addOIDCClaims([...wanted]);
  return grant.save();
}

async function handleInteraction(req, res, uid) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    // Unknown/expired interaction or missing interaction cookie.
    send(res, 400, page('Error', `<h1>Sign-in session expired</h1><p id="error">${esc(err.message)}</p>`));
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, page('Error', '<h1>Interaction mismatch</h1>'));
    return;
  }

  if (details.prompt.name === 'consent') {
    // Already logged in (OIDC_SSO=1 or a consent-only round): auto-consent.
    const grantId = await autoGrant(details, details.session.accountId);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  if (details.prompt.name !== 'login') {
    send(res, 501, page('Error', `<h1>Unsupported prompt ${esc(details.prompt.name)}</h1>`));
    return;
  }

  if (req.method === 'GET') {
    send(res, 200, loginPage(uid, { login: details.params.login_hint || '' }));
    return;
  }
  if (req.method !== 'POST') {
    res.statusCode = 405;
    res.setHeader('Allow', 'GET, POST');
    res.end();
    return;
  }

  const form = await readForm(req);
  const login = (form.get('login') || '').trim();
  const password = form.get('password') || '';
  if (!lookupAccount(login) || password !== `${login}-pass`) {
    send(res, 200, loginPage(uid, { login, error: 'Invalid username or password.' }));
    return;
  }

  const grantId = await autoGrant(details, login);
  await provider.interactionFinished(req, res, {
    login: { accountId: login },
    consent: { grantId },
  }, { mergeWithLastSubmission: false });
}

const providerCallback = provider.callback();

server.on('request', (req, res) => {
  const { pathname } = new URL(req.url, issuer);
  const match = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(pathname);
  if (!match) {
    providerCallback(req, res);
    return;
  }
  handleInteraction(req, res, match[1]).catch((err) => {
    console.error(`interaction error: ${err?.stack || err}`);
    if (!res.headersSent) {
      send(res, err instanceof errors.OIDCProviderError ? err.statusCode || 400 : 500,
        page('Error', `<h1>Interaction failed</h1><p id="error">${esc(err?.message || err)}</p>`));
    } else {
      res.end();
    }
  });
});
server.on('clientError', (err, socket) => {
  if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
});

// ---------------------------------------------------------------- lifecycle

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.error(`provider.mjs: ${signal}, shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

process.stdout.write(`OIDC_READY ${issuer}\n`);
