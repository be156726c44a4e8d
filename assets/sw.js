// Candour's service worker: keeps the report form and its assets available
// with no signal. Only the report form is kept, never pages with people's
// records, so nothing personal stays in a shared phone's cache.
'use strict';
var CACHE = 'candour-offline-v2';

self.addEventListener('install', function (event) {
  self.skipWaiting();
  event.waitUntil(caches.open(CACHE).then(function (c) {
    return c.addAll(['/assets/candour.css', '/assets/offline.js', '/assets/report.js']);
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
      caches.open(CACHE).then(function (c) { c.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) {
      return hit || new Response('<!DOCTYPE html><html lang="en-GB"><title>Offline</title><h1>You are offline</h1><p>Open the report form once while you have signal, and it will then work without it.</p></html>',
        { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
    });
  }));
});
