/**
 * The status page's script: fetches /status.json every refresh_s seconds and redraws the groups
 * (no reload, no framework, no build step). Every text goes in through textContent, never as
 * HTML, so a model name cannot inject markup. Inline, hashed in the page's CSP.
 */
export const STATUS_SCRIPT = String.raw`(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var main = document.getElementById('groups');
  var summary = document.getElementById('summary');
  var updated = document.getElementById('updated');
  var every = document.getElementById('every');
  var banner = document.getElementById('banner');
  var timer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function pct(r) { return r === null ? 'no data' : (r >= 1 ? '100' : (Math.floor(r * 10000) / 100).toString()) + '%'; }
  function ago(iso, now) {
    if (!iso) return 'not checked yet';
    var s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    if (s < 172800) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' d ago';
  }
  function ms(v) { return v === null ? '' : (v < 1000 ? Math.round(v) + ' ms' : (v / 1000).toFixed(1) + ' s'); }

  function bars(list, frame, label) {
    var row = el('div', 'bars-row');
    var box = el('div', 'bars');
    box.setAttribute('role', 'img');
    var start = Date.parse(frame.start);
    var up = 0, all = 0;
    list.forEach(function (b, i) {
      var bar = el('span', 'bar');
      var total = b[0] + b[1];
      up += b[0]; all += total;
      bar.className = 'bar ' + (total === 0 ? (b[2] ? 'maint' : 'none') : (b[1] === 0 ? 'up' : (b[0] === 0 ? 'down' : 'partial')));
      var t = new Date(start + i * frame.bucket_s * 1000).toISOString().slice(0, frame.bucket_s < 86400 ? 13 : 10).replace('T', ' ');
      bar.title = t + (frame.bucket_s < 86400 ? ':00 UTC: ' : ' UTC: ') + (total === 0 ? (b[2] ? 'maintenance' : 'no checks') : b[0] + ' healthy, ' + b[1] + ' unhealthy');
      box.appendChild(bar);
    });
    var text = label + ' ' + pct(all === 0 ? null : up / all);
    box.setAttribute('aria-label', 'uptime ' + text);
    row.appendChild(box);
    row.appendChild(el('span', 'bars-label', text));
    return row;
  }

  function spark(points) {
    var svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('class', 'spark');
    svg.setAttribute('viewBox', '0 0 120 28');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'latency of the last ' + points.length + ' checks');
    if (points.length < 2) return svg;
    var max = Math.max.apply(null, points.map(function (p) { return p[0]; })) || 1;
    var step = 120 / (points.length - 1);
    var xy = points.map(function (p, i) { return [i * step, 26 - (p[0] / max) * 24]; });
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', xy.map(function (p) { return p[0].toFixed(1) + ',' + p[1].toFixed(1); }).join(' '));
    svg.appendChild(line);
    points.forEach(function (p, i) {
      if (p[1]) return;
      var c = document.createElementNS(SVG, 'circle');
      c.setAttribute('cx', xy[i][0].toFixed(1)); c.setAttribute('cy', xy[i][1].toFixed(1)); c.setAttribute('r', '2');
      svg.appendChild(c);
    });
    return svg;
  }

  function deployment(d, data, now) {
    var li = el('li', 'deployment ' + d.state);
    li.dataset.modelId = d.model_id;
    li.dataset.state = d.state;
    var row = el('div', 'row');
    row.appendChild(el('span', 'dot ' + d.state));
    row.appendChild(el('span', 'model', d.model));
    row.appendChild(el('span', 'pill ' + d.state, d.state));
    if (d.latency_ms !== null) row.appendChild(el('span', 'latency', ms(d.latency_ms)));
    row.appendChild(spark(d.latency_history));
    li.appendChild(row);
    var meta = [d.provider, d.mode, 'checked ' + ago(d.last_checked, now)];
    if (d.maintenance) meta.push('maintenance "' + d.maintenance.name + '" until ' + d.maintenance.until.slice(0, 16).replace('T', ' ') + ' UTC');
    if (d.api_base) meta.push(d.api_base);
    if (typeof d.consecutive_failures === 'number' && d.consecutive_failures > 0) meta.push(d.consecutive_failures + ' failed in a row');
    li.appendChild(el('p', 'meta', meta.join(' · ')));
    if (d.error) li.appendChild(el('p', 'error', (d.error_type ? d.error_type + ': ' : '') + d.error));
    li.appendChild(bars(d.bars_24h, data.frames['24h'], '24 h'));
    li.appendChild(bars(d.bars_30d, data.frames['30d'], '30 d'));
    return li;
  }

  function render(data) {
    var now = Date.now();
    document.title = data.title;
    document.getElementById('title').textContent = data.title;
    var c = data.counts;
    var bad = c.unhealthy + c.stale;
    var overall = bad ? 'unhealthy' : c.maintenance ? 'maintenance' : c.pending && !c.healthy ? 'pending' : 'healthy';
    summary.className = 'summary ' + overall;
    summary.textContent = '';
    summary.appendChild(el('span', 'dot ' + overall));
    var words = bad ? bad + ' of ' + (c.healthy + c.unhealthy + c.stale + c.pending + c.maintenance) + ' deployments unhealthy'
      : c.healthy ? 'All checked deployments healthy' : 'Waiting for the first checks';
    if (c.maintenance) words += ' · ' + c.maintenance + ' in maintenance';
    if (c.pending && (bad || c.healthy)) words += ' · ' + c.pending + ' pending';
    summary.appendChild(el('span', null, words));
    var groups = document.createDocumentFragment();
    data.groups.forEach(function (g) {
      var sec = el('section', 'group ' + g.state);
      sec.dataset.modelName = g.model_name;
      var h = el('h2');
      h.appendChild(el('span', 'dot ' + g.state));
      h.appendChild(el('span', null, g.model_name));
      h.appendChild(el('span', 'pill ' + g.state, g.state));
      h.appendChild(el('span', 'uptime', pct(g.uptime_24h) + ' (24 h) · ' + pct(g.uptime_30d) + ' (30 d)'));
      sec.appendChild(h);
      var ul = el('ul', 'deployments');
      g.deployments.forEach(function (d) { ul.appendChild(deployment(d, data, now)); });
      sec.appendChild(ul);
      groups.appendChild(sec);
    });
    main.textContent = '';
    main.appendChild(groups);
    updated.textContent = new Date(data.generated_at).toLocaleTimeString();
    updated.dateTime = data.generated_at;
    every.textContent = String(data.refresh_s);
    document.body.dataset.generatedAt = data.generated_at;
  }

  function schedule(s) { clearTimeout(timer); timer = setTimeout(refresh, s * 1000); }

  function refresh() {
    fetch('/status.json', { credentials: 'same-origin', headers: { accept: 'application/json' }, cache: 'no-store' })
      .then(function (res) {
        if (res.status === 401) { banner.hidden = false; banner.textContent = 'Signed out: reload the page to sign in again.'; return null; }
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (data) {
        if (!data) return;
        banner.hidden = true;
        render(data);
        schedule(data.refresh_s);
      })
      .catch(function () {
        banner.hidden = false;
        banner.textContent = 'Cannot reach the exporter; retrying.';
        schedule(10);
      });
  }
  refresh();
})();`;
