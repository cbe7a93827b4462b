/**
 * The minimal self-service passkey page (first piece of the account security page). It works
 * under helmet's default CSP: no inline script or handler, scripts from /account/assets only.
 */
export const PASSKEYS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Passkeys · Petanque Life</title>
  <script src="/account/assets/simplewebauthn-browser.js" defer></script>
  <script src="/account/assets/passkeys.js" defer></script>
</head>
<body>
  <main>
    <h1>Passkeys</h1>
    <section id="login-section">
      <h2>Sign in</h2>
      <form id="login-form">
        <label>E-mail <input id="email" name="email" type="email" autocomplete="username webauthn" required></label>
        <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required></label>
        <button id="login" type="submit">Sign in</button>
      </form>
      <p>Status: <output id="login-status" data-status="idle">signed out</output></p>
    </section>
    <section id="passkey-section">
      <h2>Your passkeys</h2>
      <label>Name for a new passkey <input id="passkey-name" type="text" maxlength="64" value="This device"></label>
      <p><button id="register" type="button">Register a passkey</button> <output id="register-result" data-status="idle"></output></p>
      <p><button id="stepup" type="button">Step up with passkey</button> <output id="stepup-result" data-status="idle"></output></p>
      <p><button id="passwordless" type="button">Sign in with passkey (passwordless)</button> <output id="passwordless-result" data-status="idle"></output></p>
      <ul id="credentials"></ul>
    </section>
  </main>
</body>
</html>
`;

export const PASSKEYS_JS = `'use strict';
(function () {
  var W = window.SimpleWebAuthnBrowser;
  var state = { access: null };
  var $ = function (id) { return document.getElementById(id); };

  function show(id, status, value) {
    var el = $(id);
    el.dataset.status = status;
    el.textContent = typeof value === 'string' ? value : JSON.stringify(value);
  }

  async function api(method, path, body, auth) {
    var headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (auth !== false && state.access) headers.Authorization = 'Bearer ' + state.access;
    var res = await fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) });
    var data = res.status === 204 ? {} : await res.json().catch(function () { return {}; });
    if (!res.ok) { var err = new Error(data.detail || ('HTTP ' + res.status)); err.code = data.error_code || ('http_' + res.status); throw err; }
    return data;
  }

  function fail(id) {
    return function (e) { show(id, 'error', { error_code: e.code || e.name || 'error', detail: e.message }); };
  }

  async function refreshList() {
    if (!state.access) return;
    var list = await api('GET', '/auth/mfa/webauthn/credentials');
    var ul = $('credentials');
    ul.textContent = '';
    list.items.forEach(function (c) { var li = document.createElement('li'); li.textContent = c.name + (c.last_used_at ? ' (last used ' + c.last_used_at + ')' : ''); ul.appendChild(li); });
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    api('POST', '/auth/login', { email: $('email').value, password: $('password').value }, false)
      .then(function (t) { state.access = t.access_token; return api('GET', '/me'); })
      .then(function (me) { show('login-status', 'ok', { email: me.user.email, amr: me.amr }); return refreshList(); })
      .catch(fail('login-status'));
  });

  $('register').addEventListener('click', function () {
    show('register-result', 'pending', '...');
    api('POST', '/auth/mfa/webauthn/register/options', {})
      .then(function (options) { return W.startRegistration({ optionsJSON: options }); })
      .then(function (response) { return api('POST', '/auth/mfa/webauthn/register/verify', { response: response, name: $('passkey-name').value }); })
      .then(function (r) { show('register-result', 'ok', { enrolled: r.enrolled, name: r.credential.name }); return refreshList(); })
      .catch(fail('register-result'));
  });

  $('stepup').addEventListener('click', function () {
    show('stepup-result', 'pending', '...');
    api('POST', '/auth/mfa/webauthn/authenticate/options', {})
      .then(function (options) { return W.startAuthentication({ optionsJSON: options }); })
      .then(function (response) { return api('POST', '/auth/mfa/webauthn/authenticate/verify', { response: response }); })
      .then(function (r) { state.access = r.access_token; show('stepup-result', 'ok', { amr: r.amr, mfa_at: r.mfa_at }); })
      .catch(fail('stepup-result'));
  });

  $('passwordless').addEventListener('click', function () {
    show('passwordless-result', 'pending', '...');
    var attempt;
    api('POST', '/auth/passkey/login/options', {}, false)
      .then(function (r) { attempt = r.attempt_id; return W.startAuthentication({ optionsJSON: r.options }); })
      .then(function (response) { return api('POST', '/auth/passkey/login/verify', { attempt_id: attempt, response: response }, false); })
      .then(function (t) { state.access = t.access_token; return api('GET', '/me'); })
      .then(function (me) { show('passwordless-result', 'ok', { email: me.user.email, amr: me.amr, session_id: me.session_id }); return refreshList(); })
      .catch(fail('passwordless-result'));
  });
})();
`;
