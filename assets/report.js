// Candour's report form helpers. Progressive enhancement: the form works
// without this script; with it, people are found by typing a name or room,
// another "who else was involved" line can be added, the body map can be
// clicked, and what is typed is saved as a draft while the reporter types.
(function () {
  'use strict';

  function norm(s) { return (s || '').toLowerCase().replace(/\s+/g, ' ').trim(); }

  function searchBox(id, label, onInput) {
    var wrap = document.createElement('div');
    wrap.className = 'form-group search-box';
    var l = document.createElement('label');
    l.setAttribute('for', id);
    l.className = 'label-small';
    l.textContent = label;
    var input = document.createElement('input');
    input.type = 'search';
    input.id = id;
    input.className = 'input';
    input.autocomplete = 'off';
    // No name: a search is never sent with the report.
    input.addEventListener('input', function () { onInput(norm(input.value)); });
    wrap.appendChild(l);
    wrap.appendChild(input);
    return wrap;
  }

  // A checkbox list (people affected): hide the rows that do not match.
  function enhanceList(list, n) {
    var rows = list.querySelectorAll('.checkbox');
    if (rows.length < 6) { return; }
    var box = searchBox('find-list-' + n, 'Find by name or room', function (q) {
      for (var i = 0; i < rows.length; i++) {
        var text = norm(rows[i].textContent);
        var ticked = rows[i].querySelector('input').checked;
        rows[i].hidden = q !== '' && text.indexOf(q) < 0 && !ticked;
      }
    });
    list.parentNode.insertBefore(box, list);
  }

  // Every choice of a select, kept so that filtering can put them back.
  function remember(select) {
    var groups = [];
    var kids = select.children;
    for (var i = 0; i < kids.length; i++) {
      var el = kids[i];
      if (el.tagName === 'OPTGROUP') {
        var opts = [];
        for (var j = 0; j < el.children.length; j++) {
          opts.push({ value: el.children[j].value, text: el.children[j].textContent });
        }
        groups.push({ label: el.label, options: opts });
      }
    }
    select._groups = groups;
  }

  function rebuild(select, q) {
    var chosen = select.value;
    while (select.children.length > 1) { select.removeChild(select.lastChild); }
    select._groups.forEach(function (g) {
      var group = document.createElement('optgroup');
      group.label = g.label;
      g.options.forEach(function (o) {
        if (q === '' || norm(o.text).indexOf(q) >= 0 || o.value === chosen) {
          var opt = document.createElement('option');
          opt.value = o.value;
          opt.textContent = o.text;
          if (o.value === chosen) { opt.selected = true; }
          group.appendChild(opt);
        }
      });
      if (group.children.length > 0) { select.appendChild(group); }
    });
  }

  // "Who else was involved": a search over the register and staff list, and
  // a button for one more line.
  function enhanceInvolved(fieldset) {
    var selects = function () { return fieldset.querySelectorAll('select[data-filterable]'); };
    var all = selects();
    for (var i = 0; i < all.length; i++) { remember(all[i]); }
    var query = '';
    var box = searchBox('find-involved', 'Find a person or member of staff by name or room', function (q) {
      query = q;
      var s = selects();
      for (var k = 0; k < s.length; k++) { rebuild(s[k], q); }
    });
    var hint = fieldset.querySelector('.hint');
    fieldset.insertBefore(box, hint ? hint.nextSibling : fieldset.firstChild);
    var add = document.createElement('button');
    add.type = 'button';
    add.className = 'button button-secondary button-small';
    add.textContent = 'Add another person';
    add.addEventListener('click', function () {
      var lines = fieldset.querySelectorAll('.involved-line');
      var last = lines[lines.length - 1];
      var copy = last.cloneNode(true);
      var n = lines.length + 1;
      var labels = copy.querySelectorAll('label');
      var fields = copy.querySelectorAll('select');
      for (var j = 0; j < fields.length; j++) {
        var id = fields[j].id.replace(/-\d+$/, '-' + n);
        fields[j].id = id;
        labels[j].setAttribute('for', id);
        fields[j].selectedIndex = 0;
      }
      labels[0].textContent = 'Person ' + n;
      last.parentNode.insertBefore(copy, last.nextSibling);
      var who = copy.querySelector('select[data-filterable]');
      who._groups = last.querySelector('select[data-filterable]')._groups;
      rebuild(who, query);
      who.focus();
    });
    fieldset.appendChild(add);
  }

  // The body map: each shape of the figure ticks the same coded checkbox as
  // the list, so the list stays the record of what is chosen.
  function enhanceBodyMap(figures) {
    var group = figures.parentNode;
    var lists = group.querySelector('[data-bodymap-lists]');
    var shapes = figures.querySelectorAll('[data-region]');
    var box = function (shape) {
      return group.querySelector('input[type="checkbox"][value="' + shape.getAttribute('data-region') + '"]');
    };
    var paint = function (shape) {
      var input = box(shape);
      var on = !!(input && input.checked);
      shape.setAttribute('aria-checked', on ? 'true' : 'false');
      shape.setAttribute('class', on ? 'region marked' : 'region');
    };
    var toggle = function (shape) {
      var input = box(shape);
      if (!input) { return; }
      input.checked = !input.checked;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    };
    for (var i = 0; i < shapes.length; i++) {
      (function (shape) {
        shape.addEventListener('click', function () { toggle(shape); });
        shape.addEventListener('keydown', function (ev) {
          if (ev.key === ' ' || ev.key === 'Enter') { ev.preventDefault(); toggle(shape); }
        });
        paint(shape);
      }(shapes[i]));
    }
    group.addEventListener('change', function () {
      for (var j = 0; j < shapes.length; j++) { paint(shapes[j]); }
    });
    figures.hidden = false;
    if (lists) {
      lists.hidden = true;
      var show = document.createElement('button');
      show.type = 'button';
      show.className = 'link-button';
      show.textContent = 'Choose from a list instead';
      show.setAttribute('aria-expanded', 'false');
      show.addEventListener('click', function () {
        lists.hidden = !lists.hidden;
        show.setAttribute('aria-expanded', lists.hidden ? 'false' : 'true');
        show.textContent = lists.hidden ? 'Choose from a list instead' : 'Hide the list';
      });
      lists.parentNode.insertBefore(show, lists);
    }
  }

  // Saves what is typed as a draft, a moment after the reporter stops
  // typing, so a report interrupted by care is not lost.
  function enhanceAutosave(form) {
    var status = document.getElementById('autosave-status');
    var timer = null;
    var saving = false;
    var again = false;
    var stopped = false;
    var field = function (name) { return form.querySelector('input[name="' + name + '"]'); };
    var say = function (text) { if (status) { status.textContent = text; } };
    function save() {
      if (stopped || !navigator.onLine) { return; }
      if (saving) { again = true; return; }
      saving = true;
      var body = new URLSearchParams(new FormData(form)).toString();
      fetch('/incidents/drafts', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Candour-Autosave': '1' },
        body: body
      }).then(function (r) {
        return r.json().then(function (j) { return { status: r.status, body: j }; });
      }).then(function (res) {
        if (res.status === 200) {
          field('draft_id').value = res.body.draft_id;
          field('draft_version').value = res.body.version;
          say('Draft saved at ' + res.body.saved_at + '.');
        } else if (res.status === 409) {
          // Another window saved this draft: keep both, never overwrite.
          field('draft_id').value = '';
          field('draft_version').value = '0';
          say(res.body.problem + ': what you type here is saved as a new draft.');
          again = true;
        } else if (res.status === 410) {
          stopped = true;
          say(res.body.problem + '.');
        }
      }).catch(function () {}).then(function () {
        saving = false;
        if (again) { again = false; save(); }
      });
    }
    var soon = function () { clearTimeout(timer); timer = setTimeout(save, 1500); };
    form.addEventListener('input', soon);
    form.addEventListener('change', soon);
    form.addEventListener('submit', function () {
      clearTimeout(timer);
      // A report sent now leaves the page; one queued with no signal does not.
      if (navigator.onLine) { stopped = true; }
    });
  }

  function start() {
    var lists = document.querySelectorAll('[data-filter-list]');
    for (var i = 0; i < lists.length; i++) { enhanceList(lists[i], i + 1); }
    var inv = document.querySelector('[data-involved]');
    if (inv) { enhanceInvolved(inv); }
    var maps = document.querySelectorAll('[data-bodymap-figures]');
    for (var m = 0; m < maps.length; m++) { enhanceBodyMap(maps[m]); }
    var form = document.querySelector('form[data-autosave]');
    if (form && window.fetch && window.URLSearchParams) { enhanceAutosave(form); }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
}());
