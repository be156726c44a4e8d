// Candour's offline queue for the report form. Progressive enhancement: the
// form works without this script; with it, a report written with no signal
// waits on the phone and is sent, exactly once, when the connection returns.
// Each queued report carries an idempotency key made on the phone, so a retry
// after a lost answer is recognised by the server and not filed twice.
//
// On a shared phone the next person to sign in must not be able to read a
// report someone else left waiting. So a waiting report is kept sealed
// (AES-GCM) with a key that is its writer's alone: the page gives the
// signed-in person's key (meta candour-queue-key), the same at each of their
// sign-ins and different for everyone else. Another person's page cannot
// open it, and it waits, unread, until its writer signs in again. Where the
// page has no key (the report form opened from the phone's cache with no
// signal, which is kept without one) or the browser cannot seal (no Web
// Crypto, as on plain HTTP away from this machine), the report waits only in
// this page, never in the phone's storage, and is sent while the page stays open.
(function () {
  'use strict';
  var QUEUE = 'candour-outbox';
  var PROBLEMS = 'candour-outbox-problems';
  var sent = [];
  var flushing = false;
  var keyPromise = null;
  // Reports waiting in this page only (no key to seal them with), and
  // those of them the server found problems with.
  var inPage = [];
  var inPageProblems = [];

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
  function toBase64(bytes) {
    var s = '';
    bytes = new Uint8Array(bytes);
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s);
  }
  function fromBase64(text) {
    var s = atob(text);
    var out = new Uint8Array(s.length);
    for (var i = 0; i < s.length; i++) { out[i] = s.charCodeAt(i); }
    return out;
  }

  // The signed-in person's sealing key, or null where there is none.
  function queueKey() {
    if (keyPromise) { return keyPromise; }
    var meta = document.querySelector('meta[name="candour-queue-key"]');
    if (!meta || !window.crypto || !crypto.subtle) {
      keyPromise = Promise.resolve(null);
    } else {
      keyPromise = crypto.subtle.importKey('raw', fromBase64(meta.content), 'AES-GCM', false, ['encrypt', 'decrypt'])
        .catch(function () { return null; });
    }
    return keyPromise;
  }

  function seal(key, text) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    return crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv }, key, new TextEncoder().encode(text))
      .then(function (data) { return { iv: toBase64(iv), data: toBase64(data) }; });
  }

  // A waiting report's form body, or null when it is someone else's.
  function open(key, item) {
    if (typeof item.body === 'string') { return Promise.resolve(item.body); }
    if (!key || !item.data) { return Promise.resolve(null); }
    return crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(item.iv) }, key, fromBase64(item.data))
      .then(function (plain) { return new TextDecoder().decode(plain); })
      .catch(function () { return null; });
  }

  // The waiting reports this person can open, and how many are others'.
  function mine() {
    return queueKey().then(function (key) {
      var items = load(QUEUE);
      return Promise.all(items.map(function (item) { return open(key, item); }))
        .then(function (bodies) {
          var own = inPage.slice();
          var others = 0;
          bodies.forEach(function (body, i) {
            if (body === null) { others++; } else { own.push({ key: items[i].key, body: body }); }
          });
          return { own: own, others: others };
        });
    });
  }

  function show() {
    var el = document.getElementById('outbox-status');
    if (!el) { return Promise.resolve(); }
    return mine().then(function (m) {
      var problems = load(PROBLEMS).length + inPageProblems.length;
      var parts = [];
      if (m.own.length > 0) { parts.push('Waiting to send (' + m.own.length + '). Your report is saved on this phone and will be sent when it is back online.'); }
      if (m.others > 0) { parts.push(m.others + ' report(s) written by someone else on this phone wait, sealed, until they sign in again.'); }
      if (sent.length > 0) { parts.push('Sent: ' + sent.join(', ') + '.'); }
      if (problems > 0) { parts.push(problems + ' saved report(s) could not be sent as written: open the report form again to re-enter them.'); }
      if (inPage.length > 0) { parts.push('Keep this page open: with no signal when it was opened, the phone cannot keep your report safely, so it waits in this page and is sent as soon as there is a signal.'); }
      el.textContent = parts.join(' ');
      el.hidden = parts.length === 0;
    });
  }

  function post(body) {
    return fetch('/incidents', {
      method: 'POST',
      credentials: 'same-origin',
      // Signed out, the answer is a way to the sign-in page: not followed,
      // so a page being signed in on is left alone.
      redirect: 'manual',
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

  function remove(key) {
    inPage = inPage.filter(function (i) { return i.key !== key; });
    save(QUEUE, load(QUEUE).filter(function (i) { return i.key !== key; }));
  }

  // Keeps a report that could not be sent as written, sealed like the queue.
  function keepProblem(item) {
    return queueKey().then(function (key) {
      if (!key) { inPageProblems.push(item); return null; }
      return seal(key, item.body).then(function (sealed) {
        var problems = load(PROBLEMS);
        problems.push({ key: item.key, iv: sealed.iv, data: sealed.data });
        save(PROBLEMS, problems);
      });
    });
  }

  // Sends each of this person's waiting reports once per pass, in order.
  // Someone else's stay sealed and waiting until they sign in.
  function flush() {
    if (flushing || !navigator.onLine) { return show(); }
    flushing = true;
    return mine().then(function (m) {
      var sendNext = function (i) {
        if (i >= m.own.length) { flushing = false; return show(); }
        var item = m.own[i];
        return post(withCurrentToken(item.body)).then(function (r) {
          if (r.status === 201) {
            return r.json().then(function (j) { sent.push(j.reference); remove(item.key); });
          }
          if (r.status === 422) {
            // Keep what was typed: nothing is thrown away.
            return keepProblem(item).then(function () { remove(item.key); });
          }
          if (r.status === 409) { return null; }
          throw new Error('not sent: ' + r.status);
        }).then(function () {
          return sendNext(i + 1);
        });
      };
      return sendNext(0);
    }).catch(function () {
      flushing = false;
      return show();
    });
  }

  function clearForm(form) {
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
  }

  function enqueue(form, key) {
    var data = new FormData(form);
    data.set('idempotency_key', key);
    data.set('written_at', new Date().toISOString());
    var body = new URLSearchParams(data).toString();
    return queueKey().then(function (sealKey) {
      if (!sealKey) {
        // Never kept in the clear where the next person could read it.
        inPage.push({ key: key, body: body });
        clearForm(form);
        window.scrollTo(0, 0);
        return show();
      }
      return seal(sealKey, body).then(function (sealed) {
        var items = load(QUEUE);
        items.push({ key: key, iv: sealed.iv, data: sealed.data });
        save(QUEUE, items);
        clearForm(form);
        window.scrollTo(0, 0);
        return show();
      });
    });
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
        return enqueue(form, key).then(function () { window.setTimeout(flush, 5000); });
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
