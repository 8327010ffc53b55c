// Browser-free end-to-end check of provider.mjs:  node selftest.mjs
//
// Starts provider.mjs as a child process (like the Rust test harness does),
// waits for "OIDC_READY <issuer>", then walks the authorization code + PKCE
// flow with a tiny cookie jar and fetch(redirect: 'manual'), exchanges the code
// with HTTP Basic client auth, verifies the RS256 ID token against /jwks and
// checks its claims. Exits non-zero on the first failure.

import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_ID = 'shipshape';
const CLIENT_SECRET = 'shipshape-secret';
// Nothing listens here: the flow stops at the 303 to it and reads code/state.
const REDIRECT_URI = 'http://127.0.0.1:9/auth/oidc/callback';

let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok - ${name}`);
  } else {
    failed += 1;
    console.log(`not ok - ${name}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}
class Fatal extends Error {}
function must(name, ok, detail) {
  if (!check(name, ok, detail)) throw new Fatal(name);
}

// ------------------------------------------------------------ provider child

function startProvider(extraEnv = {}) {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(here, 'provider.mjs')], {
    cwd: here,
    env: {
      ...process.env,
      OIDC_PORT: '0',
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OIDC_REDIRECT_URIS: `${REDIRECT_URI},http://localhost:9/other`,
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no OIDC_READY after 15s; stderr:\n${stderr}`)), 15000);
    child.on('exit', (code) => reject(new Error(`provider exited early (${code}); stderr:\n${stderr}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      clearTimeout(timer);
      const line = out.slice(0, nl);
      const m = /^OIDC_READY (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!m) reject(new Error(`unexpected first stdout line: ${JSON.stringify(line)}`));
      resolve({ child, issuer: m[1], ms: Date.now() - started, stdout: () => out, stderr: () => stderr });
    });
  });
}

function stopProvider(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(child.exitCode); return; }
    const t = setTimeout(() => { child.kill('SIGKILL'); }, 5000);
    child.removeAllListeners('exit');
    child.on('exit', (code, signal) => { clearTimeout(t); resolve(code ?? signal); });
    child.kill('SIGTERM');
  });
}

// ------------------------------------------------------------ http + cookies

class Jar {
  constructor() { this.cookies = new Map(); } // "name path" -> {name, value, path}

  store(res) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair, ...attrs] = sc.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let cpath = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k, v = ''] = a.split('=');
        if (k.toLowerCase() === 'path') cpath = v;
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const key = `${name} ${cpath}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path: cpath });
    }
  }

  header(url) {
    const { pathname } = new URL(url);
    return [...this.cookies.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

async function request(jar, url, { method = 'GET', form, headers = {} } = {}) {
  const h = { ...headers };
  const cookie = jar?.header(url);
  if (cookie) h.cookie = cookie;
  let body;
  if (form) {
    body = new URLSearchParams(form).toString();
    h['content-type'] = 'application/x-www-form-urlencoded';
  }
  const res = await fetch(url, { method, headers: h, body, redirect: 'manual' });
  jar?.store(res);
  const text = await res.text();
  return { status: res.status, location: res.headers.get('location'), text, headers: res.headers };
}

// Follow 3xx redirects on the provider until one leaves it (to the client).
async function follow(jar, issuer, first, chain) {
  let res = first;
  while (res.status >= 300 && res.status < 400) {
    const next = new URL(res.location, issuer).toString();
    chain.push(`${res.status} -> ${next.replace(issuer, '')}`);
    if (!next.startsWith(`${issuer}/`)) return { leftTo: next, res };
    res = await request(jar, next);
  }
  return { res };
}

// ------------------------------------------------------------ helpers

const b64url = (buf) => Buffer.from(buf).toString('base64url');
function pkce() {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  return { verifier, challenge };
}

function authUrl(issuer, { state, nonce, challenge, scope = 'openid profile groups', extra = {} }) {
  const u = new URL('/auth', issuer);
  const params = {
    client_id: CLIENT_ID, redirect_uri: REDIRECT_URI, response_type: 'code', scope, state, nonce,
  };
  if (challenge) Object.assign(params, { code_challenge: challenge, code_challenge_method: 'S256' });
  for (const [k, v] of Object.entries({ ...params, ...extra })) u.searchParams.set(k, v);
  return u.toString();
}

function formAction(html) {
  const m = /<form[^>]*id="login-form"[^>]*action="([^"]+)"/.exec(html);
  return m?.[1];
}
const hasLoginForm = (html) => /name="login"/.test(html) && /name="password"/.test(html)
  && /<button type="submit" id="submit">Sign in<\/button>/.test(html);

async function token(issuer, form, { id = CLIENT_ID, secret = CLIENT_SECRET } = {}) {
  // RFC 6749 2.3.1: form-urlencode id and secret, then Basic (what openidconnect-rs does).
  const basic = Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64');
  const res = await fetch(new URL('/token', issuer), {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: await res.json() };
}

function verifyJwt(jwt, jwks) {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return { header, payload, valid: false };
  const valid = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(s, 'base64url'));
  return { header, payload, valid };
}

// Full login as `login`, returning the token response and the redirect chain.
async function loginFlow(issuer, jwks, login, { jar = new Jar(), scope } = {}) {
  const state = b64url(randomBytes(12));
  const nonce = b64url(randomBytes(12));
  const { verifier, challenge } = pkce();
  const chain = [`GET /auth?...`];
  const first = await request(jar, authUrl(issuer, { state, nonce, challenge, scope }));
  const toForm = await follow(jar, issuer, first, chain);
  must(`${login}: authorization lands on the login form`, toForm.res.status === 200 && hasLoginForm(toForm.res.text), `status ${toForm.res.status}`);
  const action = new URL(formAction(toForm.res.text), issuer).toString();
  chain.push(`POST ${action.replace(issuer, '')} (login=${login})`);
  const posted = await request(jar, action, { method: 'POST', form: { login, password: `${login}-pass` } });
  const back = await follow(jar, issuer, posted, chain);
  must(`${login}: redirected back to the client`, back.leftTo?.startsWith(REDIRECT_URI), back.leftTo || `status ${back.res.status}`);
  const cb = new URL(back.leftTo);
  check(`${login}: state round-trips`, cb.searchParams.get('state') === state);
  check(`${login}: iss in authorization response (RFC 9207)`, cb.searchParams.get('iss') === issuer);
  const code = cb.searchParams.get('code');
  must(`${login}: code present`, !!code);

  const tok = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
  must(`${login}: token endpoint 200`, tok.status === 200, JSON.stringify(tok.json));
  const { header, payload, valid } = verifyJwt(tok.json.id_token, jwks);
  check(`${login}: ID token RS256 signature verifies against /jwks`, valid, JSON.stringify(header));
  check(`${login}: ID token iss`, payload.iss === issuer, payload.iss);
  check(`${login}: ID token aud`, payload.aud === CLIENT_ID || (Array.isArray(payload.aud) && payload.aud.includes(CLIENT_ID)), JSON.stringify(payload.aud));
  check(`${login}: ID token nonce`, payload.nonce === nonce);
  check(`${login}: ID token sub`, payload.sub === login);
  check(`${login}: ID token exp in the future`, payload.exp > Date.now() / 1000);
  return { tok, payload, chain, jar, code, verifier };
}

// ------------------------------------------------------------ the test

const EXPECTED_GROUPS = {
  olivia: ['trino-admins'], max: ['trino-managers'], sid: ['trino-sres'], ivan: ['interns'],
};

async function main() {
  const prov = await startProvider();
  const { issuer, child } = prov;
  console.log(`# provider ready at ${issuer} after ${prov.ms} ms`);
  try {
    // Discovery + JWKS
    const disc = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
    check('discovery issuer', disc.issuer === issuer);
    check('discovery endpoints', disc.authorization_endpoint === `${issuer}/auth`
      && disc.token_endpoint === `${issuer}/token` && disc.jwks_uri === `${issuer}/jwks`
      && disc.userinfo_endpoint === `${issuer}/me`);
    check('discovery S256 PKCE', JSON.stringify(disc.code_challenge_methods_supported) === '["S256"]');
    check('discovery RS256 ID tokens', disc.id_token_signing_alg_values_supported.includes('RS256'));
    check('discovery scopes', ['openid', 'profile', 'email', 'groups'].every((s) => disc.scopes_supported.includes(s)));
    check('discovery client_secret_basic', disc.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
    const jwks = await (await fetch(disc.jwks_uri)).json();
    check('jwks has one public RSA key', jwks.keys.length === 1 && jwks.keys[0].kty === 'RSA' && !('d' in jwks.keys[0]));

    // Happy path for each account
    for (const [login, groups] of Object.entries(EXPECTED_GROUPS)) {
      const { payload, chain, tok } = await loginFlow(issuer, jwks, login, { scope: 'openid profile email groups' });
      check(`${login}: groups in ID token`, JSON.stringify(payload.groups) === JSON.stringify(groups), JSON.stringify(payload.groups));
      check(`${login}: preferred_username in ID token`, payload.preferred_username === login);
      check(`${login}: name and email in ID token`, !!payload.name && payload.email === `${login}@example.test`);
      if (login === 'olivia') {
        console.log(`# redirect chain:\n#   ${chain.join('\n#   ')}`);
        console.log(`# olivia ID token claims: ${JSON.stringify(payload)}`);
        const ui = await fetch(disc.userinfo_endpoint, { headers: { authorization: `Bearer ${tok.json.access_token}` } });
        const uij = await ui.json();
        check('userinfo returns groups too', ui.status === 200 && JSON.stringify(uij.groups) === JSON.stringify(groups), JSON.stringify(uij));
      }
    }

    // Scope "openid profile groups" (no email): groups + preferred_username still in the ID token
    {
      const { payload } = await loginFlow(issuer, jwks, 'sid');
      check('narrow scope: groups in ID token', JSON.stringify(payload.groups) === '["trino-sres"]');
      check('narrow scope: preferred_username in ID token', payload.preferred_username === 'sid');
      check('narrow scope: no email without email scope', !('email' in payload));
    }

    // Wrong password, unknown user: form again with an error, then a retry succeeds
    {
      const jar = new Jar();
      const state = 'S';
      const { verifier, challenge } = pkce();
      const chain = [];
      const first = await request(jar, authUrl(issuer, { state, nonce: 'N', challenge }));
      const toForm = await follow(jar, issuer, first, chain);
      const action = new URL(formAction(toForm.res.text), issuer).toString();
      const bad = await request(jar, action, { method: 'POST', form: { login: 'olivia', password: 'wrong' } });
      check('wrong password: 200 with the form again', bad.status === 200 && hasLoginForm(bad.text), `status ${bad.status}`);
      check('wrong password: error message shown', /id="login-error"[^>]*>Invalid username or password\./.test(bad.text));
      check('wrong password: login kept in the field', /name="login" value="olivia"/.test(bad.text));
      const unknown = await request(jar, action, { method: 'POST', form: { login: 'mallory', password: 'mallory-pass' } });
      check('unknown account: form again with error', unknown.status === 200 && hasLoginForm(unknown.text) && /login-error/.test(unknown.text));
      const good = await request(jar, action, { method: 'POST', form: { login: 'max', password: 'max-pass' } });
      const back = await follow(jar, issuer, good, chain);
      check('retry after wrong password succeeds', back.leftTo?.startsWith(REDIRECT_URI) && new URL(back.leftTo).searchParams.get('state') === 'S', back.leftTo);
      const code = back.leftTo && new URL(back.leftTo).searchParams.get('code');
      const tok = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
      check('retry: ID token is for max', tok.status === 200 && verifyJwt(tok.json.id_token, jwks).payload.groups?.[0] === 'trino-managers');

      // Same browser again: default (no OIDC_SSO) shows the login form again.
      const again = await follow(jar, issuer, await request(jar, authUrl(issuer, { state: 'T', nonce: 'N2', challenge: pkce().challenge })), []);
      check('second authorization in same browser shows the form again', again.res.status === 200 && hasLoginForm(again.res.text));
    }

    // Token endpoint negative cases
    {
      const { code, verifier } = await loginFlow(issuer, jwks, 'ivan');
      const wrongVerifier = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: pkce().verifier });
      check('wrong code_verifier: invalid_grant', wrongVerifier.status === 400 && wrongVerifier.json.error === 'invalid_grant', JSON.stringify(wrongVerifier.json));
      const reuse = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
      check('code is single-use (after a failed attempt)', reuse.status === 400 && reuse.json.error === 'invalid_grant', JSON.stringify(reuse.json));
    }
    {
      const { code, verifier } = await loginFlow(issuer, jwks, 'ivan');
      const wrongSecret = await token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }, { secret: 'nope' });
      check('wrong client secret: invalid_client', wrongSecret.status === 401 && wrongSecret.json.error === 'invalid_client', JSON.stringify(wrongSecret.json));
    }

    // PKCE is required
    {
      const res = await request(new Jar(), authUrl(issuer, { state: 'P', nonce: 'N' }));
      const loc = res.location && new URL(res.location, issuer);
      check('no code_challenge: error back to client', res.status === 303 && loc?.toString().startsWith(REDIRECT_URI)
        && loc.searchParams.get('error') === 'invalid_request' && loc.searchParams.get('state') === 'P', res.location);
    }
    // Unregistered redirect_uri is refused on the provider (no redirect)
    {
      const u = new URL(authUrl(issuer, { state: 'R', nonce: 'N', challenge: pkce().challenge }));
      u.searchParams.set('redirect_uri', 'http://127.0.0.1:9/evil');
      const res = await request(new Jar(), u.toString(), { headers: { accept: 'text/html' } });
      check('unregistered redirect_uri: 400 on the provider', res.status === 400 && /redirect_uri did not match/.test(res.text), `${res.status}`);
    }
  } finally {
    const t = Date.now();
    const code = await stopProvider(child);
    check('SIGTERM: provider exits 0', code === 0, String(code));
    console.log(`# provider stopped ${Date.now() - t} ms after SIGTERM`);
    check('stdout is exactly the OIDC_READY line', prov.stdout() === `OIDC_READY ${issuer}\n`, JSON.stringify(prov.stdout()));
    if (process.env.OIDC_SELFTEST_VERBOSE) console.log(`# provider stderr:\n${prov.stderr()}`);
  }

  // OIDC_REDIRECT_URIS is required
  {
    const r = await startProvider({ OIDC_REDIRECT_URIS: '' }).then(
      async (p) => { await stopProvider(p.child); return 'started'; },
      (e) => e.message,
    );
    check('missing OIDC_REDIRECT_URIS: refuses to start', /exited early \(2\)/.test(r), r);
  }
}

try {
  await main();
} catch (err) {
  if (!(err instanceof Fatal)) {
    failed += 1;
    console.log(`not ok - unexpected error: ${err?.stack || err}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
