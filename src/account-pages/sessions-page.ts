/**
 * The "wasn't you?" page every security e-mail links to: sign in, see every active session
 * (device, place, last use), revoke one or all others, and read recent security events.
 * Works under helmet's default CSP: no inline script or handler; the script is same-origin.
 */
export const SESSIONS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Sessions · Petanque Life</title>
  <script src="/account/assets/sessions.js" defer></script>
</head>
<body>
  <main>
    <h1>Your sessions</h1>
    <form id="login-form">
      <label>E-mail <input id="email" type="email" autocomplete="username" required></label>
      <label>Password <input id="password" type="password" autocomplete="current-password" required></label>
      <button id="login" type="submit">Sign in</button>
    </form>
    <p>Status: <output id="status" data-status="idle">signed out</output></p>
    <table>
      <thead><tr><th>Device</th><th>Location</th><th>IP</th><th>Last used</th><th>Second factor</th><th></th></tr></thead>
      <tbody id="sessions"></tbody>
    </table>
    <p><button id="revoke-all" type="button" disabled>Sign out all other sessions</button> <output id="revoke-all-result" data-status="idle"></output></p>
    <h2>Recent security events</h2>
    <ul id="events"></ul>
  </main>
</body>
</html>
`;

export const SESSIONS_JS = `'use strict';
(function () {
  var token = null;
  var $ = function (id) { return document.getElementById(id); };
  function set(el, status, text) { el.dataset.status = status; el.textContent = text; }
  function api(method, path, body) {
    return fetch(path, {
      method: method,
      headers: Object.assign({ 'content-type': 'application/json' }, token ? { authorization: 'Bearer ' + token } : {}),
      body: body ? JSON.stringify(body) : undefined,
    }).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (j) { if (!r.ok) throw new Error(j.detail || r.statusText); return j; });
    });
  }
  function cell(tr, text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); return td; }
  function load() {
    return Promise.all([api('GET', '/auth/sessions'), api('GET', '/auth/security-events?limit=10')]).then(function (res) {
      var tbody = $('sessions');
      tbody.textContent = '';
      res[0].items.forEach(function (s) {
        var tr = document.createElement('tr');
        tr.dataset.sessionId = s.id;
        tr.dataset.current = String(s.current);
        cell(tr, [s.device.browser, s.device.os].filter(Boolean).join(' on ') || 'Unknown device');
        cell(tr, s.location ? [s.location.city, s.location.country].filter(Boolean).join(', ') : '');
        cell(tr, s.ip || '');
        cell(tr, new Date(s.last_used_at).toLocaleString());
        cell(tr, s.mfa_satisfied ? 'yes' : 'no');
        var action = cell(tr, '');
        if (s.current) action.textContent = 'this device';
        else {
          var b = document.createElement('button');
          b.type = 'button';
          b.className = 'revoke';
          b.textContent = 'Sign out';
          b.addEventListener('click', function () {
            api('DELETE', '/auth/sessions/' + encodeURIComponent(s.id)).then(load).catch(function (e) { set($('status'), 'error', e.message); });
          });
          action.appendChild(b);
        }
        tbody.appendChild(tr);
      });
      var ul = $('events');
      ul.textContent = '';
      res[1].items.forEach(function (e) {
        var li = document.createElement('li');
        li.textContent = new Date(e.occurred_at).toLocaleString() + ' — ' + e.type.replace(/_/g, ' ');
        ul.appendChild(li);
      });
      $('revoke-all').disabled = false;
      set($('status'), 'ok', 'signed in; ' + res[0].items.length + ' active session(s)');
    });
  }
  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    api('POST', '/auth/login', { email: $('email').value, password: $('password').value })
      .then(function (r) { token = r.access_token; return load(); })
      .catch(function (e) { set($('status'), 'error', e.message); });
  });
  $('revoke-all').addEventListener('click', function () {
    api('POST', '/auth/sessions/revoke-all')
      .then(function (r) { set($('revoke-all-result'), 'ok', 'signed out ' + r.revoked + ' session(s)'); return load(); })
      .catch(function (e) { set($('revoke-all-result'), 'error', e.message); });
  });
})();
`;
