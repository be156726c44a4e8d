// Candour's offline queue for the report form. Progressive enhancement: the
// form works without this script; with it, a report written with no signal
// waits on the phone and is sent, exactly once, when the connection returns.
// Each queued report carries an idempotency key made on the phone, so a retry
// after a lost answer is recognised by the server and not filed twice.
(function () {
  'use strict';
  var QUEUE = 'candour-outbox';
  var PROBLEMS = 'candour-outbox-problems';
  var sent = [];
  var flushing = false;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js').catch(function () {});
  }

  function load(name) {
    try { return JSON.parse(localStorage.getItem(name) || '[]'); } catch (e) { return []; }
  }
  function save(name, items) { localStorage.setItem(name, JSON.stringify(items)); }
  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return 'k-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2);
  }

  function show() {
    var el = document.getElementById('outbox-status');
    if (!el) { return; }
    var waiting = load(QUEUE).length;
    var problems = load(PROBLEMS).length;
    var parts = [];
    if (waiting > 0) { parts.push('Waiting to send (' + waiting + '). Your report is saved on this phone and will be sent when it is back online.'); }
    if (sent.length > 0) { parts.push('Sent: ' + sent.join(', ') + '.'); }
    if (problems > 0) { parts.push(problems + ' saved report(s) could not be sent as written: open the report form again to re-enter them.'); }
    el.textContent = parts.join(' ');
    el.hidden = parts.length === 0;
  }

  function post(body) {
    return fetch('/incidents', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Candour-Queue': '1' },
      body: body
    });
  }

  // A queued report carries the token of the page it was written on; by
  // the time it is sent the writer may have signed in again, and a form's
  // token belongs to one session. Send it with this page's token instead
  // (the server still files it only as the person who wrote it).
  function withCurrentToken(body) {
    var input = document.querySelector('input[name="csrf_token"]');
    if (!input) { return body; }
    var params = new URLSearchParams(body);
    params.set('csrf_token', input.value);
    return params.toString();
  }

  function remove(key) { save(QUEUE, load(QUEUE).filter(function (i) { return i.key !== key; })); }

  // Sends each waiting report once per pass, in order. A report written by
  // someone else on this phone (409) stays waiting until they sign in.
  function flush() {
    if (flushing || !navigator.onLine) { show(); return; }
    var pending = load(QUEUE);
    if (pending.length === 0) { show(); return; }
    flushing = true;
    var sendNext = function (i) {
      if (i >= pending.length) { flushing = false; show(); return; }
      var item = pending[i];
      post(withCurrentToken(item.body)).then(function (r) {
        if (r.status === 201) {
          return r.json().then(function (j) { sent.push(j.reference); remove(item.key); });
        }
        if (r.status === 422) {
          // Keep what was typed: nothing is thrown away.
          var problems = load(PROBLEMS);
          problems.push(item);
          save(PROBLEMS, problems);
          remove(item.key);
          return null;
        }
        if (r.status === 409) { return null; }
        throw new Error('not sent: ' + r.status);
      }).then(function () {
        sendNext(i + 1);
      }).catch(function () {
        flushing = false;
        show();
      });
    };
    sendNext(0);
  }

  function enqueue(form, key) {
    var data = new FormData(form);
    data.set('idempotency_key', key);
    data.set('written_at', new Date().toISOString());
    var items = load(QUEUE);
    items.push({ key: key, body: new URLSearchParams(data).toString() });
    save(QUEUE, items);
    // The next report from this page is a new report with a new key.
    var hidden = form.querySelector('input[name="idempotency_key"]');
    if (hidden) { hidden.value = newKey(); }
    // The queued report takes its draft with it; the next one starts afresh.
    var draft = form.querySelector('input[name="draft_id"]');
    if (draft) { draft.value = ''; }
    var version = form.querySelector('input[name="draft_version"]');
    if (version) { version.value = '0'; }
    var text = form.querySelectorAll('textarea, input[type="text"]');
    for (var i = 0; i < text.length; i++) { text[i].value = ''; }
    show();
    window.scrollTo(0, 0);
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.hasAttribute || !form.hasAttribute('data-offline-queue')) { return; }
    // "Save as draft" goes to its own address as an ordinary form.
    if (ev.submitter && ev.submitter.hasAttribute('formaction')) { return; }
    ev.preventDefault();
    var hidden = form.querySelector('input[name="idempotency_key"]');
    var key = hidden && hidden.value ? hidden.value : newKey();
    if (!navigator.onLine) { enqueue(form, newKey()); return; }
    var body = new URLSearchParams(new FormData(form)).toString();
    post(body).then(function (r) {
      if (r.status === 201) {
        return r.json().then(function (j) { window.location.href = j.url + '?reported=1'; });
      }
      // The server was too busy to save it: keep it on the phone with the
      // same key and send it again shortly, as if the signal had dropped.
      if (r.status === 503) {
        enqueue(form, key);
        window.setTimeout(flush, 5000);
        return null;
      }
      // Problems with what was typed (or anything else): let the server's
      // own page say what is wrong, with everything typed kept.
      form.submit();
      return null;
    }).catch(function () {
      // The connection failed mid-send: keep the same key, so that if the
      // server did receive it, sending again cannot make a second report.
      enqueue(form, key);
    });
  });

  window.addEventListener('online', flush);
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', flush);
  } else {
    flush();
  }
}());
