/**
 * The dashboard's script (served as /dashboard/app.js): polls the gateway's JSON routes every 2 s
 * with the key from sessionStorage as a bearer header, and renders with textContent only (nothing
 * from the ledger is ever parsed as HTML). Sparklines are uPlot charts of the hourly history.
 */
export const DASHBOARD_JS = String.raw`(function () {
  'use strict';
  var KEY = 'cpGatewayKey';
  var POLL_MS = 2000;
  var NAMES = { latency_p95: 'Latency p95', timeout_rate: 'Timeout rate', tool_success_rate: 'Tool success rate', degradation_rate: 'Degradation rate', auto_recovery_rate: 'Auto-recovery rate' };
  var charts = {};
  var timer = null;
  var lastVerify = 0;
  var $ = function (id) { return document.getElementById(id); };

  function key() { return sessionStorage.getItem(KEY); }

  function api(path, opts) {
    opts = opts || {};
    var headers = { authorization: 'Bearer ' + (opts.key || key()) };
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) { logout('Your key was refused.'); throw new Error('unauthorized'); }
      return res.json().then(function (body) { if (!res.ok) throw new Error((body.error && body.error.message) || res.statusText); return body; });
    });
  }

  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined && text !== null) e.textContent = String(text); if (cls) e.className = cls; return e; }
  function time(ms) { return ms ? new Date(ms).toLocaleTimeString() : '-'; }
  function pct(v) { return v === null || v === undefined ? '-' : (Math.round(v * 1000) / 10) + ' %'; }
  function fmt(name, v) { if (v === null || v === undefined) return 'no data'; return name === 'latency_p95' ? (v >= 1000 ? (Math.round(v / 100) / 10) + ' s' : Math.round(v) + ' ms') : pct(v); }
  function usd(v) { return '$' + v.toFixed(v < 1 ? 6 : 2); }

  function fillTable(id, rows) {
    var body = $(id).querySelector('tbody');
    body.replaceChildren();
    if (rows.length === 0) { var tr = el('tr'); var td = el('td', 'none', 'muted'); td.colSpan = $(id).querySelectorAll('th').length; tr.appendChild(td); body.appendChild(tr); return; }
    rows.forEach(function (cells) {
      var tr = el('tr');
      cells.forEach(function (c) { tr.appendChild(typeof c === 'object' && c !== null ? el('td', c.text, c.cls) : el('td', c)); });
      body.appendChild(tr);
    });
  }

  function sparkline(slo, target, series) {
    // From the first hour with data (at least the last two), so a young deployment's line is not a speck at the right edge.
    var first = series.findIndex(function (p) { return p.value !== null; });
    series = series.slice(Math.min(first < 0 ? series.length : first, Math.max(0, series.length - 2)));
    var xs = series.map(function (p) { return p.hourStart / 1000; });
    var ys = series.map(function (p) { return p.value; });
    var data = [xs, ys];
    var box = target.querySelector('.spark');
    if (charts[slo] && charts[slo].root.parentNode === box) { charts[slo].setData(data); return; }
    box.replaceChildren();
    charts[slo] = new uPlot({ width: 200, height: 46, legend: { show: false }, cursor: { show: false }, scales: { x: { time: true } }, axes: [{ show: false }, { show: false }], series: [{}, { stroke: '#3b6fd0', width: 1.5, fill: '#3b6fd022', spanGaps: true, points: { show: true, size: 4 } }] }, data, box);
  }

  function renderSlo(report) {
    var cards = $('slo-cards');
    Object.keys(NAMES).forEach(function (slo) {
      var s = report.overall[slo];
      var t = report.targets[slo];
      var card = document.getElementById('card-' + slo);
      if (!card) {
        card = el('div', null, 'card'); card.id = 'card-' + slo; card.setAttribute('data-slo', slo);
        card.appendChild(el('h3', NAMES[slo]));
        card.appendChild(el('div', '', 'value'));
        card.appendChild(el('div', '', 'muted target'));
        card.appendChild(el('div', '', 'badges'));
        card.appendChild(el('div', '', 'muted budget'));
        card.appendChild(el('div', null, 'spark'));
        cards.appendChild(card);
      }
      // The shortest window with data is "now"; the card says which one it is.
      var nowWindow = ['5m', '1h', '6h', '24h', '30d'].find(function (w) { return s.windows[w].events > 0; }) || '5m';
      var now = s.windows[nowWindow];
      var worst = ['5m', '1h'].some(function (w) { return s.windows[w].verdict === 'fail'; }) ? 'fail' : now.verdict;
      card.className = 'card ' + worst;
      card.setAttribute('data-verdict', worst);
      card.querySelector('.value').textContent = fmt(slo, now.value) + (now.value === null ? '' : ' (' + nowWindow + ')');
      card.querySelector('.target').textContent = 'target ' + t.comparator + ' ' + fmt(slo, t.target);
      var badges = card.querySelector('.badges'); badges.replaceChildren();
      ['5m', '1h', '6h', '24h', '30d'].forEach(function (w) { var v = s.windows[w]; badges.appendChild(el('span', w + ' ' + (v.verdict === 'no_data' ? '-' : v.verdict), v.verdict)); });
      card.querySelector('.budget').textContent = 'error budget left (30 d): ' + (s.budgetLeft === null ? '-' : pct(s.budgetLeft));
      sparkline(slo, card, s.hourly);
    });
    var banner = $('alert-banner');
    banner.hidden = report.activeAlerts.length === 0;
    banner.textContent = report.activeAlerts.map(function (a) { return 'ALERT: ' + a.summary; }).join('  |  ');
  }

  function renderActivity(a) {
    fillTable('alerts', a.alerts.map(function (x) { return [time(x.at), { text: x.state, cls: 'state-' + x.state }, x.summary]; }));
    fillTable('failovers', a.failovers.slice(0, 10).map(function (f) { return [time(f.at), f.route, f.failed.join(', '), f.servedBy || { text: 'failed', cls: 'bad' }]; }));
    fillTable('repairs', a.repairs.slice(0, 10).map(function (r) { return [time(r.at), r.requestId, r.detail]; }));
    fillTable('spend', a.spend.map(function (s) { return [s.provider, s.model, usd(s.last24hUsd), usd(s.last30dUsd), s.calls24h]; }));
  }

  function renderBreakers(matrix, activity) {
    var rows = matrix ? matrix.data.map(function (m) { return [m.id, { text: m.breaker.state + (m.breaker.misconfigured ? ' (misconfigured)' : ''), cls: 'state-' + m.breaker.state }, m.breaker.consecutiveFailures, m.breaker.openedAt ? new Date(m.breaker.openedAt).toLocaleTimeString() : '-']; })
      : activity.breakers.map(function (b) { return [b.key, { text: b.state, cls: 'state-' + b.state }, '-', time(b.at)]; });
    fillTable('breakers', rows);
  }

  function renderJobs(h) {
    fillTable('jobs', h.jobs.map(function (j) { return [j.name, j.schedule + ' (' + j.timezone + ')', { text: j.status, cls: 'state-' + j.status }, time(j.lastSeenAt), time(j.nextExpectedAt), j.consecutiveFailures, j.lastDriftMs === null ? '-' : Math.round(j.lastDriftMs / 1000) + ' s']; }));
  }

  function renderAudit(status, verify) {
    var dl = $('audit');
    if (status) { dl.setAttribute('data-lag', status.lag); }
    var items = [];
    if (verify) items.push(['chain', verify.ok ? 'verified' : 'BROKEN at ' + verify.firstBrokenPosition], ['events', verify.count], ['head', verify.headHash || '-'], ['last verification', time(lastVerify)]);
    if (status) items.push(['auditor lag', status.lag], ['parked', status.parked], ['stream position', status.checkpointSeq + ' / ' + status.streamLastSeq]);
    if (items.length === 0) return;
    dl.replaceChildren();
    items.forEach(function (i) { dl.appendChild(el('dt', i[0])); dl.appendChild(el('dd', i[1], i[0] === 'chain' ? (verify.ok ? 'good' : 'bad') : null)); });
  }

  var audit = { status: null, verify: null };
  function verifyNow() {
    lastVerify = Date.now();
    return api('/v1/audit/verify').then(function (v) { audit.verify = v; renderAudit(audit.status, audit.verify); }, function () {});
  }

  function refresh() {
    var soft = function (p) { return p.catch(function () { return null; }); };
    return Promise.all([api('/v1/slo?hours=24'), api('/v1/slo/activity'), soft(api('/v1/heartbeats')), soft(api('/v1/providers/matrix')), soft(api('/v1/audit/status'))]).then(function (r) {
      renderSlo(r[0]); renderActivity(r[1]); if (r[2]) renderJobs(r[2]); renderBreakers(r[3], r[1]);
      audit.status = r[4]; renderAudit(audit.status, audit.verify);
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      document.body.setAttribute('data-updated', String(Date.now()));
      if (Date.now() - lastVerify > 30000) verifyNow();
    }).catch(function (err) { $('updated').textContent = 'update failed: ' + err.message; });
  }

  function show() {
    $('login').hidden = true; $('board').hidden = false; $('logout').hidden = false;
    refresh(); timer = setInterval(refresh, POLL_MS);
  }

  function logout(message) {
    sessionStorage.removeItem(KEY); clearInterval(timer);
    $('board').hidden = true; $('login').hidden = false; $('logout').hidden = true;
    $('login-error').textContent = message || '';
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var k = $('key').value.trim();
    fetch('/v1/slo?hours=1', { headers: { authorization: 'Bearer ' + k } }).then(function (res) {
      if (res.status === 401) { $('login-error').textContent = 'That key was refused.'; return; }
      sessionStorage.setItem(KEY, k); $('key').value = ''; show();
    }, function () { $('login-error').textContent = 'The gateway did not answer.'; });
  });
  $('logout').addEventListener('click', function () { logout(); });
  $('verify').addEventListener('click', function () { verifyNow(); });
  if (key()) show();
})();
`;
