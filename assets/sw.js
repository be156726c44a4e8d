// Candour's service worker: keeps the report form and its assets available
// with no signal. Only the report form is kept, never pages with people's
// records, so nothing personal stays in a shared phone's cache; and the form
// is kept without its reader's offline-queue key, which lives only in pages
// fetched while signed in (the next person on the phone must not find it).
'use strict';
var CACHE = 'candour-offline-v3';

self.addEventListener('install', function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(['/assets/candour.css', '/assets/offline.js', '/assets/report.js']);
  }).then(function () {
    // Forms kept by earlier versions may hold a key: they go.
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; }).map(function (n) { return caches.delete(n); }));
    });
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(self.clients.claim());
});

function keep(url) {
  return url.pathname === '/incidents/new' || url.pathname.indexOf('/assets/') === 0;
}

self.addEventListener('fetch', function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || !keep(url)) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      var type = copy.headers.get('Content-Type') || '';
      var kept = type.indexOf('text/html') === 0
        ? copy.text().then(function (html) {
          return new Response(html.replace(/<meta name="candour-queue-key"[^>]*>/g, ''), { headers: copy.headers });
        })
        : Promise.resolve(copy);
      kept.then(function (r) { return caches.open(CACHE).then(function (c) { return c.put(request, r); }); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      return hit || new Response('<!DOCTYPE html><html lang="en-GB"><title>Offline</title><h1>You are offline</h1><p>Open the report form once while you have signal, and it will then work without it.</p></html>',
        { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    });
  }));
});
