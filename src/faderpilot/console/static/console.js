/* faderpilot console: the page for one session (see docs/console.md).
 *
 * What you hear: the printed stems (OUT/stems/*.wav, post-fader and post-pan) played through
 * Web Audio with one correction per strip, so a fader, pan, mute or solo move is heard at once:
 *   out(s)  = r(s) * M(s) * (printed(s) + P(s) * deltas from the strips routed into s)
 *   r(s)    = 10^((fader now - fader printed) / 20), 0 when muted or dimmed by a solo
 *   M(s)    = the pan law's change from the printed pan to the pan now (identity when equal)
 *   P(s)    = the bus's printed fader and pan, applied to what its inputs changed by
 * A strip routed to the master adds out(s); a strip routed to a group bus adds out(s) - printed(s)
 * to that bus's delta input (its printed stem is already inside the bus stem). With nothing moved
 * every correction is 1 and the sum is exactly mix.wav. After the server re-renders, the new stems
 * and their printed values replace the old ones together.
 */
(() => {
  'use strict';

  // ------------------------------------------------------------------ small helpers

  const $ = (sel, el = document) => el.querySelector(sel);
  const dbToGain = (db) => Math.pow(10, db / 20);
  const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));

  /** Element builder: h('div', {className: 'x', onclick: f}, 'text', child). */
  function h(tag, attrs, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'className' || k === 'textContent' || k === 'value' || k === 'title') el[k] = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }

  function fmtDb(v) {
    if (!isFinite(v)) return '-inf';
    const s = Math.abs(v) < 0.05 ? '0.0' : Math.abs(v).toFixed(1);
    return (v >= 0.05 ? '+' : v <= -0.05 ? '-' : '') + s;
  }
  const fmtPan = (p) => (Math.abs(p) < 0.005 ? 'C' : (p < 0 ? 'L' : 'R') + Math.round(Math.abs(p) * 100));
  function fmtTime(s) {
    s = Math.max(0, s);
    const m = Math.floor(s / 60);
    return `${m}:${(s - m * 60).toFixed(1).padStart(4, '0')}`;
  }

  async function getJSON(url) {
    const r = await fetch(url, { cache: 'no-store' });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || `${url}: HTTP ${r.status}`);
    return body;
  }
  async function postJSON(url, obj) {
    const r = await fetch(url, {
      method: 'POST', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(obj),
    });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || `${url}: HTTP ${r.status}`);
    return body;
  }

  // ------------------------------------------------------------------ fader taper and pan law

  /** Fader position (0 bottom .. 1 top) at each dB mark: a console taper, finer near unity. */
  const TAPER = [[-60, 0], [-50, 0.05], [-40, 0.12], [-30, 0.22], [-20, 0.36], [-10, 0.54],
    [-5, 0.655], [0, 0.77], [5, 0.88], [10, 0.97], [12, 1]];
  const FADER_MIN = -60, FADER_MAX = 12;
  function posOf(db) {
    if (db <= TAPER[0][0]) return 0;
    for (let i = 1; i < TAPER.length; i++) {
      const [d0, p0] = TAPER[i - 1], [d1, p1] = TAPER[i];
      if (db <= d1) return p0 + (p1 - p0) * (db - d0) / (d1 - d0);
    }
    return 1;
  }
  function dbOf(pos) {
    if (pos <= 0) return FADER_MIN;
    for (let i = 1; i < TAPER.length; i++) {
      const [d0, p0] = TAPER[i - 1], [d1, p1] = TAPER[i];
      if (pos <= p1) return d0 + (d1 - d0) * (pos - p0) / (p1 - p0);
    }
    return FADER_MAX;
  }

  /** (left, right) gains of the session's pan law (render/engine.py pan_gains). */
  function panGains(pan, channels) {
    const p = clamp(pan, -1, 1), t = (p + 1) * Math.PI / 4;
    if (channels === 1) return [Math.cos(t), Math.sin(t)];
    return p <= 0 ? [1, Math.SQRT2 * Math.sin(t)] : [Math.SQRT2 * Math.cos(t), 1];
  }

  /** 2x2 matrix taking a stem printed at pan p0 to pan p1: {LL, RL, LR, RR} (out L = LL*L + RL*R).
   * A mono source at constant power is recovered exactly as x = a0 L + b0 R; a stereo one
   * (balance) per channel, except a channel printed at zero gain, which cannot come back. */
  function panMatrix(p0, p1, channels) {
    if (Math.abs(p0 - p1) < 1e-9) return { LL: 1, RL: 0, LR: 0, RR: 1 };
    const [a0, b0] = panGains(p0, channels), [a1, b1] = panGains(p1, channels);
    if (channels === 1) return { LL: a1 * a0, RL: a1 * b0, LR: b1 * a0, RR: b1 * b0 };
    return { LL: a0 > 1e-6 ? a1 / a0 : 0, RL: 0, LR: 0, RR: b0 > 1e-6 ? b1 / b0 : 0 };
  }

  // ------------------------------------------------------------------ state

  const S = {
    doc: null,              // the last /api/state
    local: {},              // id -> {fader_db, pan, mute}: what you hear now
    pending: {},            // "id:field" -> number of edits not yet saved
    solo: new Set(),        // monitoring only, never saved
    model: null,            // {strips, master, buffers}: the stems the graph plays and their printed values
    buffers: new Map(),     // url?v=N -> AudioBuffer
    loading: null,          // promise of the model being loaded
    ctx: null, graph: null, playing: false, startCtxTime: 0, startOffset: 0, position: 0,
    source: 'current', ab: { rough: null, assistant: null },
    overviewV: -1, ready: false, busy: false, errors: [],
  };
  const els = {};           // id -> strip DOM parts

  const stripById = (id) => S.doc.strips.find((s) => s.id === id);

  // ------------------------------------------------------------------ audio: loading stems

  let decoder = null;
  async function decode(url) {
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    const data = await r.arrayBuffer();
    const sr = S.doc ? S.doc.sample_rate : 48000;
    if (!decoder || decoder.sampleRate !== sr) decoder = new OfflineAudioContext(2, 1, sr);
    return decoder.decodeAudioData(data);
  }

  async function buffer(url, v) {
    const key = `${url}?v=${v}`;
    if (!S.buffers.has(key)) S.buffers.set(key, decode(key));
    return S.buffers.get(key);
  }

  /** The playable model for a state: every printed stem with the values it was rendered with. */
  async function loadModel(doc) {
    const strips = [];
    let master = null;
    const jobs = [];
    for (const s of doc.strips) {
      const p = s.printed;
      if (s.kind === 'master') { master = { id: s.id, printed: p || { fader_db: s.fader_db, pan: 0, v: 0 } }; continue; }
      const m = { id: s.id, kind: s.kind, channels: s.channels, printed: p, buffer: null, key: null };
      if (p && s.stem) {
        m.key = `${s.stem}?v=${p.v}`;
        jobs.push(buffer(s.stem, p.v).then((b) => { m.buffer = b; }));
      }
      strips.push(m);
    }
    await Promise.all(jobs);
    const keep = new Set(strips.map((m) => m.key));
    for (const k of [...S.buffers.keys()]) if (!keep.has(k) && k.startsWith('/files/stems/')) S.buffers.delete(k);
    return { strips, master, mixV: doc.mix.v };
  }

  // ------------------------------------------------------------------ audio: the graph

  function matrixNode(ctx) {
    const split = ctx.createChannelSplitter(2), merge = ctx.createChannelMerger(2);
    const g = { LL: ctx.createGain(), RL: ctx.createGain(), LR: ctx.createGain(), RR: ctx.createGain() };
    split.connect(g.LL, 0); split.connect(g.LR, 0); split.connect(g.RL, 1); split.connect(g.RR, 1);
    g.LL.connect(merge, 0, 0); g.RL.connect(merge, 0, 0); g.LR.connect(merge, 0, 1); g.RR.connect(merge, 0, 1);
    return { input: split, output: merge, g };
  }
  function gain(ctx, v) { const n = ctx.createGain(); n.gain.value = v; return n; }
  function setParam(param, v, ctx, smooth) {
    if (smooth && ctx instanceof AudioContext) param.setTargetAtTime(v, ctx.currentTime, 0.012);
    else param.value = v;
  }
  function setMatrix(m, mat, ctx, smooth) {
    for (const k of ['LL', 'RL', 'LR', 'RR']) setParam(m.g[k].gain, mat[k], ctx, smooth);
  }

  /** Which strips a solo leaves sounding: soloed ones, what feeds them and what they feed;
   * FX returns stay (solo-safe) unless an FX return is soloed itself. */
  function soloKeeps(model, solo) {
    if (!solo.size) return null;
    const out = new Map(model.strips.map((m) => [m.id, m.printed ? m.printed.output : null]));
    const kind = new Map(model.strips.map((m) => [m.id, m.kind]));
    const keep = new Set();
    for (const id of solo) {          // a soloed strip and the buses it feeds
      let o = id;
      while (o && o !== 'master' && !keep.has(o)) { keep.add(o); o = out.get(o); }
    }
    for (const id of out.keys()) {    // and whatever feeds a soloed bus
      let o = out.get(id);
      while (o && o !== 'master') { if (solo.has(o)) { keep.add(id); break; } o = out.get(o); }
    }
    if (![...solo].some((id) => kind.get(id) === 'fx')) for (const [id, k] of kind) if (k === 'fx') keep.add(id);
    return keep;
  }

  /** Per strip (and master): r and the pan matrix for the values now. */
  function corrections(model, values, solo) {
    const keep = soloKeeps(model, solo);
    const out = {};
    for (const m of model.strips) {
      const p = m.printed, v = values[m.id];
      if (!p || !v) continue;
      const dim = keep !== null && !keep.has(m.id);
      out[m.id] = {
        r: v.mute || dim ? 0 : dbToGain(v.fader_db - p.fader_db),
        mat: panMatrix(p.pan, v.pan, m.channels),
        dim,
      };
    }
    const mp = model.master.printed, mv = values[model.master.id] || mp;
    out[model.master.id] = { r: dbToGain(mv.fader_db - mp.fader_db), mat: panMatrix(mp.pan, mv.pan, 2), dim: false };
    return out;
  }

  /** Build the correction graph for a model into ctx; `dest` takes the current mix. */
  function buildGraph(ctx, model, dest) {
    const nodes = {};
    const masterIn = gain(ctx, 1);
    const mp = model.master.printed, [ml, mr] = panGains(mp.pan || 0, 2);
    const mg = dbToGain(mp.fader_db);
    const mP = matrixNode(ctx);
    setMatrix(mP, { LL: mg * (mp.pan ? ml : 1), RL: 0, LR: 0, RR: mg * (mp.pan ? mr : 1) }, ctx, false);
    const mM = matrixNode(ctx), mCorr = gain(ctx, 1), mMeter = ctx.createAnalyser();
    mMeter.fftSize = 1024;
    masterIn.connect(mP.input); mP.output.connect(mM.input); mM.output.connect(mCorr);
    mCorr.connect(dest); mCorr.connect(mMeter);
    nodes[model.master.id] = { M: mM, corr: mCorr, meter: mMeter };
    for (const m of model.strips) {
      const n = { sum: gain(ctx, 1), M: matrixNode(ctx), corr: gain(ctx, 1), meter: ctx.createAnalyser(), deltaIn: gain(ctx, 1) };
      n.meter.fftSize = 1024;
      n.sum.connect(n.M.input); n.M.output.connect(n.corr); n.corr.connect(n.meter);
      const p = m.printed;
      if (m.kind !== 'track' && p) {   // a bus: what its inputs changed by, through its printed fader and pan
        const [gl, gr] = panGains(p.pan || 0, 2), g = p.audible ? dbToGain(p.fader_db) : 0;
        n.P = matrixNode(ctx);
        setMatrix(n.P, { LL: g * (p.pan ? gl : 1), RL: 0, LR: 0, RR: g * (p.pan ? gr : 1) }, ctx, false);
        n.deltaIn.connect(n.P.input); n.P.output.connect(n.sum);
      }
      nodes[m.id] = n;
    }
    for (const m of model.strips) {
      const n = nodes[m.id], p = m.printed;
      if (!p) continue;
      const parent = p.output && p.output !== 'master' && nodes[p.output] ? nodes[p.output] : null;
      n.corr.connect(parent ? parent.deltaIn : masterIn);
      if (parent) { n.neg = gain(ctx, -1); n.neg.connect(parent.deltaIn); }
    }
    return {
      ctx, nodes, sources: [],
      /** Start every printed stem at `offset` seconds, at context time `when`. */
      start(when, offset) {
        for (const m of model.strips) {
          const n = nodes[m.id];
          if (!m.buffer || !m.printed || !m.printed.audible) continue;
          const src = ctx.createBufferSource();
          src.buffer = m.buffer;
          src.connect(n.sum);
          if (n.neg) src.connect(n.neg);
          src.start(when, Math.min(offset, m.buffer.duration));
          this.sources.push(src);
        }
      },
      stop() { for (const s of this.sources) { try { s.stop(); } catch (e) { /* already stopped */ } } this.sources = []; },
      /** Set every correction for the values now (smoothly when playing live). */
      apply(values, solo, smooth) {
        const c = corrections(model, values, solo);
        for (const [id, x] of Object.entries(c)) {
          const n = nodes[id];
          if (!n) continue;
          setParam(n.corr.gain, x.r, ctx, smooth);
          setMatrix(n.M, x.mat, ctx, smooth);
        }
        return c;
      },
    };
  }

  /** Values now for every strip: the document's, with local moves not yet saved on top. */
  function values(overrides) {
    const out = {};
    for (const s of S.doc.strips) out[s.id] = { ...S.local[s.id] };
    for (const [id, o] of Object.entries(overrides || {})) out[id] = { ...out[id], ...o };
    return out;
  }

  // ------------------------------------------------------------------ audio: transport and A/B

  function ensureContext() {
    if (!S.ctx) {
      S.ctx = new AudioContext({ sampleRate: S.doc.sample_rate, latencyHint: 'interactive' });
      S.out = { current: gain(S.ctx, 1), rough: gain(S.ctx, 0), assistant: gain(S.ctx, 0) };
      S.final = gain(S.ctx, 1);
      S.finalMeter = S.ctx.createAnalyser();
      S.finalMeter.fftSize = 1024;
      for (const g of Object.values(S.out)) g.connect(S.final);
      S.final.connect(S.ctx.destination);
      S.final.connect(S.finalMeter);
      setSource(S.source, true);
    }
    return S.ctx;
  }

  function rebuildGraph() {
    if (!S.ctx || !S.model) return;
    if (S.graph) { S.graph.stop(); for (const n of Object.values(S.graph.nodes)) n.corr.disconnect(); }
    S.graph = buildGraph(S.ctx, S.model, S.out.current);
    S.graph.apply(values(), S.solo, false);
  }

  function now() {
    if (!S.playing) return S.position;
    return S.startOffset + (S.ctx.currentTime - S.startCtxTime);
  }

  async function play(from) {
    if (!S.model) return;
    const ctx = ensureContext();
    await ctx.resume();
    stopSources();
    if (!S.graph) rebuildGraph();
    const at = from === undefined ? S.position : from;
    const len = S.doc.length_s;
    const start = at >= len - 0.05 ? 0 : at;
    const when = ctx.currentTime + 0.05;
    S.graph.start(when, start);
    S.abSources = [];
    for (const k of ['rough', 'assistant']) {
      if (!S.ab[k]) continue;
      const src = ctx.createBufferSource();
      src.buffer = S.ab[k];
      src.connect(S.out[k]);
      src.start(when, Math.min(start, S.ab[k].duration));
      S.abSources.push(src);
    }
    S.startCtxTime = when; S.startOffset = start; S.playing = true;
    $('#play').classList.add('on');
    startTicking();
  }

  function stopSources() {
    if (S.graph) S.graph.stop();
    for (const s of S.abSources || []) { try { s.stop(); } catch (e) { /* done */ } }
    S.abSources = [];
  }

  function stop() {
    if (S.playing) { S.position = Math.min(now(), S.doc.length_s); S.playing = false; }
    else S.position = 0;
    stopSources();
    $('#play').classList.remove('on');
    drawClock();
  }

  function seek(t) {
    const was = S.playing;
    if (was) { stopSources(); S.playing = false; }
    S.position = clamp(t, 0, S.doc.length_s);
    if (was) play(S.position); else drawClock();
  }

  async function setSource(src, quiet) {
    const btn = $(`#ab button[data-src="${src}"]`);
    if (src !== 'current' && !S.ab[src]) {
      btn.classList.add('loading');
      try {
        const url = src === 'rough' ? '/api/mix/rough' : '/api/mix/assistant';
        S.ab[src] = await decode(url);
      } catch (e) {
        btn.classList.remove('loading');
        showLines([`${src}: ${e.message}`], 'err');
        return;
      }
      btn.classList.remove('loading');
      if (S.playing) { const t = now(); S.source = src; stopSources(); S.playing = false; await play(t); }
    }
    S.source = src;
    for (const b of document.querySelectorAll('#ab button')) b.classList.toggle('on', b.dataset.src === src);
    if (S.out) for (const [k, g] of Object.entries(S.out)) setParam(g.gain, k === src ? 1 : 0, S.ctx, true);
    if (!quiet) setStatus();
  }

  // ------------------------------------------------------------------ meters and clock

  const meterBuf = new Float32Array(1024);
  const meterState = {};
  function peakDb(an) {
    an.getFloatTimeDomainData(meterBuf);
    let p = 0;
    for (let i = 0; i < meterBuf.length; i++) { const a = Math.abs(meterBuf[i]); if (a > p) p = a; }
    return p > 0 ? 20 * Math.log10(p) : -Infinity;
  }
  const meterPos = (db) => clamp((db + 60) / 66, 0, 1);   // -60 .. +6 dBFS

  function drawMeters() {
    const t = performance.now() / 1000, master = masterId();
    for (const [id, e] of Object.entries(els)) {
      let db = -Infinity;
      const n = S.graph && S.graph.nodes[id];
      if (S.playing && n) db = peakDb(id === master ? S.finalMeter || n.meter : n.meter);
      const st = meterState[id] || (meterState[id] = { v: -Infinity, hold: -Infinity, holdT: 0, t });
      const fall = 24 * (t - st.t);
      st.v = Math.max(db, st.v - fall); st.t = t;
      if (db > st.hold || t - st.holdT > 1.5) { st.hold = db; st.holdT = t; }
      const pos = meterPos(st.v);
      for (const f of e.fills) f.style.transform = `scaleY(${pos})`;
      for (const hd of e.holds) { hd.style.bottom = `${meterPos(st.hold) * 100}%`; hd.style.opacity = isFinite(st.hold) ? 1 : 0; }
    }
  }
  const masterId = () => (S.doc.strips.find((s) => s.kind === 'master') || {}).id;

  function drawClock() {
    const t = Math.min(now(), S.doc.length_s);
    $('#clock').textContent = `${fmtTime(t)} / ${fmtTime(S.doc.length_s)}`;
    $('#playhead').style.left = `${(t / S.doc.length_s) * 100}%`;
  }

  let ticking = false;
  /** One animation frame: clock, playhead and meters; keeps going while playing or meters fall. */
  function tick() {
    ticking = false;
    if (S.playing && now() >= S.doc.length_s) { S.position = S.doc.length_s; stop(); S.position = 0; }
    drawClock();
    drawMeters();
    if (S.playing || Object.values(meterState).some((m) => isFinite(m.v))) { ticking = true; requestAnimationFrame(tick); }
  }
  function startTicking() { if (!ticking) { ticking = true; requestAnimationFrame(tick); } }

  // ------------------------------------------------------------------ waveform overview

  async function drawOverview() {
    const v = S.doc.mix.v;
    if (v === S.overviewV) return;
    S.overviewV = v;
    const canvas = $('#wave');
    const w = canvas.clientWidth || 1000;
    let o;
    try { o = await getJSON(`/api/overview?n=${Math.round(w)}`); } catch (e) { return; }
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(60 * dpr);
    const g = canvas.getContext('2d');
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, 60);
    const mid = 30, bw = w / o.n;
    g.fillStyle = '#3b5f86';
    o.peak.forEach((p, i) => { const y = Math.min(1, p) * 28; g.fillRect(i * bw, mid - y, Math.max(1, bw), 2 * y); });
    g.fillStyle = '#7fb6f0';
    o.rms.forEach((p, i) => { const y = Math.min(1, p) * 28; g.fillRect(i * bw, mid - y, Math.max(1, bw), 2 * y); });
    const marks = $('#markers');
    marks.replaceChildren(...S.doc.markers.map((m) => {
      const d = h('div', { className: 'marker' }, h('span', {}, m.name));
      d.style.left = `${(m.time_s / S.doc.length_s) * 100}%`;
      return d;
    }));
  }

  // ------------------------------------------------------------------ strips

  const KIND_CLASS = { highpass: 'filter', lowpass: 'filter', low_shelf: 'filter', high_shelf: 'filter', peak: 'filter',
    compressor: 'dyn', gate: 'dyn', limiter: 'dyn', saturation: 'sat', reverb: 'fx', delay: 'fx' };

  function structureKey(doc) {
    return doc.strips.map((s) => `${s.id}:${s.name}`).join('|');
  }

  function buildStrips() {
    const box = $('#strips');
    box.replaceChildren();
    for (const k of Object.keys(els)) delete els[k];
    let firstBus = true;
    for (const s of S.doc.strips) {
      const isBus = s.type === 'bus';
      const el = h('div', {
        className: `strip ${isBus ? 'bus' : 'track'} ${s.kind === 'master' ? 'master' : ''} ${isBus && firstBus ? 'first-bus' : ''}`,
        dataset: { id: s.id }, role: 'group', 'aria-label': s.name,
      });
      if (isBus) firstBus = false;
      const colour = h('div', { className: 'colour' }); colour.style.background = s.colour;
      const name = h('button', { className: 'name', type: 'button', title: `${s.name}: everything on this strip and why`, onclick: () => openStrip(s.id) }, s.name);
      const role = h('div', { className: 'role' }, s.role_label);
      const eq = h('canvas', { className: 'eq', width: 94, height: 26, title: 'EQ curve of this strip\'s filters' });
      const chain = h('div', { className: 'chain' });
      const sends = h('div', { className: 'sends' });
      const pan = h('input', { type: 'range', min: -100, max: 100, step: 1, 'aria-label': `${s.name} pan` });
      const panVal = h('button', { className: 'val pan-val', type: 'button', title: 'Pan: click for why' , onclick: () => openWhy(s.id, 'pan') });
      const panrow = h('div', { className: 'panrow' }, pan, panVal);
      const mute = h('button', { className: 'mute', type: 'button', title: 'Mute (saved)', 'aria-pressed': 'false' }, 'M');
      const solo = h('button', { className: 'solo', type: 'button', title: 'Solo (monitoring only, not saved)', 'aria-pressed': 'false' }, 'S');
      if (s.kind === 'master') { mute.disabled = true; solo.disabled = true; }
      const ms = h('div', { className: 'ms' }, mute, solo);
      const scale = h('div', { className: 'scale' });
      for (const d of [12, 6, 0, -6, -12, -20, -30, -40, -60]) {
        const t = h('span', {}, d > 0 ? `+${d}` : `${d}`);
        t.style.top = `${(1 - posOf(d)) * 100}%`;
        scale.append(t);
      }
      const knob = h('div', { className: 'knob' });
      const unity = h('div', { className: 'unity' });
      const fader = h('div', { className: 'fader', tabindex: 0, role: 'slider', 'aria-label': `${s.name} fader`,
        'aria-valuemin': FADER_MIN, 'aria-valuemax': FADER_MAX, 'aria-orientation': 'vertical' },
      h('div', { className: 'groove' }), unity, knob);
      unity.style.top = `${(1 - posOf(0)) * 100}%`;
      const fills = [], holds = [];
      const meter = h('div', { className: 'meter', title: 'Level now (dBFS peak, -60 to +6)' }, [0, 1].map(() => {
        const f = h('div', { className: 'fill' }), hd = h('div', { className: 'hold' });
        fills.push(f); holds.push(hd);
        return h('div', { className: 'bar' }, f, hd);
      }));
      const area = h('div', { className: 'fader-area' }, scale, fader, meter);
      const val = h('button', { className: 'val fader-val', type: 'button', title: 'Fader: click for why', onclick: () => openWhy(s.id, 'fader_db') });
      const badge = h('div', { className: 'badge' });
      const lufs = h('div', { className: 'lufs' });
      const out = h('div', { className: 'out' });
      el.append(colour, name, role, eq, chain, sends, panrow, ms, area, val, badge, lufs, out);
      box.append(el);
      els[s.id] = { el, eq, chain, sends, pan, panVal, mute, solo, fader, knob, val, lufs, out, badge, fills, holds };
      wireStrip(s.id);
    }
  }

  function drawEq(canvas, curve) {
    const g = canvas.getContext('2d'), w = canvas.width, hgt = canvas.height;
    g.clearRect(0, 0, w, hgt);
    g.strokeStyle = '#3a3f48'; g.beginPath(); g.moveTo(0, hgt / 2); g.lineTo(w, hgt / 2); g.stroke();
    if (!curve) return;
    g.strokeStyle = '#7fb6f0'; g.lineWidth = 1.5; g.beginPath();
    curve.forEach((db, i) => {
      const x = (i / (curve.length - 1)) * w, y = hgt / 2 - clamp(db, -18, 18) / 18 * (hgt / 2 - 2);
      if (i) g.lineTo(x, y); else g.moveTo(x, y);
    });
    g.stroke();
  }

  function originClass(why) { return why && (why.origin === 'user' || why.origin === 'prompt') ? `origin-${why.origin}` : ''; }

  function updateStrip(s) {
    const e = els[s.id];
    if (!e) return;
    const v = S.local[s.id];
    e.el.classList.toggle('muted', !!v.mute);
    drawEq(e.eq, s.eq);
    e.chain.replaceChildren(...(s.chain.length ? s.chain.map((p) => h('button', {
      className: `ci k-${KIND_CLASS[p.kind] || 'x'} ${p.enabled ? '' : 'off'} ${originClass(p.why)}`, type: 'button',
      title: `${p.label}: ${p.text} (${p.why.who})`, dataset: { proc: p.id }, onclick: () => openWhy(s.id, 'processor', p.id),
    }, p.short)) : [h('div', { className: 'empty' }, 'no inserts')]));
    e.sends.replaceChildren(...s.sends.map((x) => h('button', {
      className: `send ${originClass(x.why)}`, type: 'button', title: `Send to ${x.bus_name}: ${fmtDb(x.level_db)} dB (${x.why.who})`,
      onclick: () => openWhy(s.id, 'send', x.bus),
    }, `\u2192 ${x.bus_name} ${fmtDb(x.level_db).replace(/\.0$/, '')}`)));
    const dragging = e.fader.dataset.dragging === '1';
    if (!dragging) placeFader(s.id, v.fader_db);
    e.val.className = `val fader-val ${originClass(s.why.fader_db)}`;
    e.panVal.className = `val pan-val ${originClass(s.why.pan)}`;
    e.pan.value = Math.round(v.pan * 100);
    e.panVal.textContent = fmtPan(v.pan);
    e.mute.classList.toggle('on', !!v.mute); e.mute.setAttribute('aria-pressed', String(!!v.mute));
    e.solo.classList.toggle('on', S.solo.has(s.id)); e.solo.setAttribute('aria-pressed', String(S.solo.has(s.id)));
    const l = s.loudness || {};
    if (s.kind === 'master') e.lufs.textContent = S.doc.mix_lufs !== null && S.doc.mix_lufs !== undefined ? `mix ${S.doc.mix_lufs.toFixed(1)} LUFS` : '';
    else e.lufs.textContent = l.active_lufs !== undefined ? `src ${l.active_lufs.toFixed(1)} LUFS` : '';
    e.lufs.title = s.kind === 'master' ? 'Integrated loudness of mix.wav as printed now' : 'Loudness of the source where it plays (from the session analysis)';
    e.out.textContent = s.output_name ? `\u2192 ${s.output_name}` : 'to the mix';
    const p = s.printed;
    let badge = '', why = '';
    if (!p) badge = 'not rendered yet';
    else if (p.audible === false && !v.mute) { badge = 'silent until re-render'; why = 'Its printed stem is silence (it was muted); the re-render brings it back'; }
    else if (s.kind === 'master' && S.doc.mix_peak_db !== null && S.doc.mix_peak_db > -0.01) {
      badge = 'mix.wav clips'; why = 'mix.wav peaks at full scale and clips: pull the master fader down';
    } else if (s.kind === 'master' && p.chain) { badge = 'master chain: printed only'; why = 'The master chain is in mix.wav; live moves play without it'; }
    e.badge.textContent = badge;
    e.badge.title = why;
  }

  function placeFader(id, db) {
    const e = els[id];
    e.knob.style.top = `${(1 - posOf(db)) * 100}%`;
    e.fader.setAttribute('aria-valuenow', db.toFixed(2));
    e.fader.setAttribute('aria-valuetext', `${fmtDb(db)} dB`);
    e.val.textContent = `${fmtDb(db)} dB`;
    e.val.dataset.value = db.toFixed(2);
    const s = stripById(id);
    e.val.classList.toggle('moved', s && Math.abs(s.fader_db - db) > 1e-6);
  }

  function updateSoloDim() {
    const keep = S.model ? soloKeeps(S.model, S.solo) : null;
    for (const [id, e] of Object.entries(els)) e.el.classList.toggle('dim', keep !== null && !keep.has(id) && id !== masterId());
  }

  function live() {
    if (S.graph) S.graph.apply(values(), S.solo, true);
    updateSoloDim();
  }

  // ------------------------------------------------------------------ edits

  const timers = {}, queues = {};
  /** Save a strip's value after `delay` ms of quiet; saves of one value go out one at a time. */
  function commitLater(id, field, delay) {
    const key = `${id}:${field}`;
    if (!timers[key]) S.pending[key] = (S.pending[key] || 0) + 1;
    clearTimeout(timers[key]);
    timers[key] = setTimeout(() => {
      timers[key] = null;
      queues[key] = (queues[key] || Promise.resolve()).then(() => commit(id, field));
    }, delay);
    setStatus();
  }

  async function commit(id, field) {
    const key = `${id}:${field}`;
    const value = S.local[id][field];
    try {
      const r = await postJSON('/api/edit', { strip: id, field, value });
      S.pending[key] = Math.max(0, (S.pending[key] || 1) - 1);
      if (r.lines.length) showLines(r.lines.map((l) => `you: ${l}`), 'user');
      applyState(r.state);
    } catch (e) {
      S.pending[key] = Math.max(0, (S.pending[key] || 1) - 1);
      showLines([`could not save ${field} on ${id}: ${e.message}`], 'err');
      S.local[id][field] = stripById(id)[field];
      updateStrip(stripById(id)); live();
    }
  }

  async function commitEdit(edit) {
    try {
      const r = await postJSON('/api/edit', edit);
      if (r.lines.length) showLines(r.lines.map((l) => `you: ${l}`), 'user');
      applyState(r.state);
      return true;
    } catch (e) {
      showLines([`could not save: ${e.message}`], 'err');
      return false;
    }
  }

  function setFader(id, db) {
    db = Math.round(clamp(db, FADER_MIN, FADER_MAX) * 10) / 10;
    S.local[id].fader_db = db;
    placeFader(id, db);
    live();
  }

  function wireStrip(id) {
    const e = els[id];
    // fader: drag (shift = fine), arrow keys 0.5 dB (shift 0.1), page keys 3 dB, double-click = 0 dB
    let startY = 0, startPos = 0, dragged = false;
    e.fader.addEventListener('pointerdown', (ev) => {
      ev.preventDefault();
      e.fader.focus();
      e.fader.setPointerCapture(ev.pointerId);
      e.fader.dataset.dragging = '1';
      startY = ev.clientY; startPos = posOf(S.local[id].fader_db); dragged = false;
    });
    e.fader.addEventListener('pointermove', (ev) => {
      if (e.fader.dataset.dragging !== '1') return;
      const hgt = e.fader.clientHeight || 200;
      const dy = (ev.clientY - startY) * (ev.shiftKey ? 0.2 : 1);
      if (Math.abs(dy) < 1 && !dragged) return;
      dragged = true;
      setFader(id, dbOf(clamp(startPos - dy / hgt, 0, 1)));
    });
    const release = () => {
      if (e.fader.dataset.dragging !== '1') return;
      e.fader.dataset.dragging = '';
      if (dragged && Math.abs(S.local[id].fader_db - stripById(id).fader_db) > 1e-6) commitLater(id, 'fader_db', 0);
    };
    e.fader.addEventListener('pointerup', release);
    e.fader.addEventListener('pointercancel', release);
    e.fader.addEventListener('dblclick', () => { setFader(id, 0); commitLater(id, 'fader_db', 0); });
    e.fader.addEventListener('keydown', (ev) => {
      const step = ev.shiftKey ? 0.1 : 0.5;
      const d = { ArrowUp: step, ArrowRight: step, ArrowDown: -step, ArrowLeft: -step, PageUp: 3, PageDown: -3 }[ev.key];
      if (d === undefined) return;
      ev.preventDefault();
      setFader(id, S.local[id].fader_db + d);
      commitLater(id, 'fader_db', 500);
    });
    e.pan.addEventListener('input', () => { S.local[id].pan = Number(e.pan.value) / 100; e.panVal.textContent = fmtPan(S.local[id].pan); live(); });
    e.pan.addEventListener('change', () => commitLater(id, 'pan', 0));
    e.pan.addEventListener('dblclick', () => { S.local[id].pan = 0; e.pan.value = 0; e.panVal.textContent = 'C'; live(); commitLater(id, 'pan', 0); });
    e.mute.addEventListener('click', () => {
      S.local[id].mute = !S.local[id].mute;
      e.mute.classList.toggle('on', S.local[id].mute);
      e.mute.setAttribute('aria-pressed', String(S.local[id].mute));
      live();
      commitLater(id, 'mute', 0);
    });
    e.solo.addEventListener('click', (ev) => {
      if (!ev.ctrlKey && !ev.metaKey && !S.solo.has(id)) S.solo.clear();
      if (S.solo.has(id)) S.solo.delete(id); else S.solo.add(id);
      for (const [k, x] of Object.entries(els)) { x.solo.classList.toggle('on', S.solo.has(k)); x.solo.setAttribute('aria-pressed', String(S.solo.has(k))); }
      live();
    });
  }

  // ------------------------------------------------------------------ the why panel

  function whoBadge(why) {
    return h('span', { className: `who o-${why.origin || 'none'}` }, why.who);
  }

  function whyBlock(why) {
    return [
      h('div', {}, 'Set by ', whoBadge(why)),
      h('p', { className: 'reason' }, why.reason),
      why.edited_from ? h('p', { className: 'edited' }, `The decision said ${why.edited_from}; the document now holds another value.`) : null,
      why.rule ? h('p', { className: 'rule' }, `rule: ${why.rule}`) : null,
    ];
  }

  function numberForm(label, value, step, onset, extra) {
    const input = h('input', { type: 'number', step, value: String(value), 'aria-label': label });
    const form = h('form', {}, h('label', {}, label), input, extra || null, h('button', { type: 'submit' }, 'Set'));
    form.addEventListener('submit', (ev) => { ev.preventDefault(); onset(Number(input.value)); });
    return form;
  }

  function openPanel(...kids) {
    const body = $('#why-body');
    const id = S.panel && S.panel.id;
    const more = S.panel && S.panel.what !== 'strip'
      ? h('p', {}, h('button', { type: 'button', className: 'more', onclick: () => openStrip(id) }, 'Everything on this strip and why'))
      : null;
    body.replaceChildren(...kids.flat().filter(Boolean), more || '');
    $('#why').hidden = false;
  }
  function closePanel() { $('#why').hidden = true; S.panel = null; }

  /** Bring a strip into view beside the panel (the sticky master must not hide it). */
  function reveal(id) { if (els[id]) els[id].el.scrollIntoView({ block: 'nearest', inline: 'nearest' }); }

  function openWhy(id, what, sub, refresh) {
    S.panel = { id, what, sub };
    if (!refresh) requestAnimationFrame(() => reveal(id));
    const s = stripById(id);
    if (!s) return closePanel();
    const head = [h('h2', {}, s.name), h('div', { className: 'sub' }, s.role_label)];
    if (what === 'fader_db' || what === 'pan') {
      const why = s.why[what];
      const v = S.local[id][what];
      const shown = what === 'pan' ? fmtPan(v) : `${fmtDb(v)} dB`;
      const form = what === 'fader_db'
        ? numberForm('Fader (dB)', v.toFixed(1), 0.1, (x) => { if (isFinite(x)) { setFader(id, x); commitLater(id, 'fader_db', 0); } })
        : numberForm('Pan (-100 L .. 100 R)', Math.round(v * 100), 1, (x) => {
          if (!isFinite(x)) return;
          S.local[id].pan = clamp(x, -100, 100) / 100; updateStrip(s); live(); commitLater(id, 'pan', 0);
        });
      openPanel(head, h('h3', {}, why.label), h('div', { className: 'bigval', dataset: { value: String(v) } }, shown), whyBlock(why), form);
    } else if (what === 'processor') {
      const p = s.chain.find((x) => x.id === sub);
      if (!p) return closePanel();
      const inputs = {};
      const form = h('form', {}, Object.entries(p.params).map(([k, v]) => {
        inputs[k] = h('input', { type: 'number', step: 'any', value: String(v), 'aria-label': k });
        return [h('label', {}, k.replace(/_/g, ' ')), inputs[k]];
      }), h('label', {}, 'on'), (inputs._on = h('input', { type: 'checkbox', checked: p.enabled, 'aria-label': 'enabled' })),
      h('button', { type: 'submit' }, 'Apply (re-renders)'));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (inputs._on.checked !== p.enabled) await commitEdit({ strip: id, processor: p.id, field: 'enabled', value: inputs._on.checked });
        for (const [k, v] of Object.entries(p.params)) {
          const x = Number(inputs[k].value);
          if (isFinite(x) && x !== v) await commitEdit({ strip: id, processor: p.id, param: k, value: x });
        }
      });
      openPanel(head, h('h3', {}, p.label), h('div', { className: 'bigval' }, p.text), whyBlock(p.why), form);
    } else if (what === 'send') {
      const x = s.sends.find((y) => y.bus === sub);
      if (!x) return closePanel();
      openPanel(head, h('h3', {}, `Send to ${x.bus_name}`), h('div', { className: 'bigval' }, `${fmtDb(x.level_db)} dB`), whyBlock(x.why),
        numberForm('Send (dB)', x.level_db.toFixed(1), 0.5, (v) => { if (isFinite(v)) commitEdit({ strip: id, send: x.bus, value: v }); }));
    }
  }

  function openStrip(id, refresh) {
    S.panel = { id, what: 'strip' };
    if (!refresh) requestAnimationFrame(() => reveal(id));
    const s = stripById(id);
    const rows = h('div', { className: 'rows' }, s.rows.map((r) => h('div', { className: 'row' },
      h('div', { className: 'row-head' }, h('b', {}, r.setting), h('span', { className: 'v' }, r.value), whoBadge({ origin: r.origin, who: r.who })),
      r.reason ? h('div', { className: 'row-why' }, r.reason) : null,
      r.edited_from ? h('div', { className: 'rule' }, `decided: ${r.edited_from}`) : null)));
    openPanel(h('h2', {}, s.name), h('div', { className: 'sub' }, `${s.role_label}${s.output_name ? ` \u2192 ${s.output_name}` : ''}`),
      h('h3', {}, 'Everything on this strip'), rows);
  }

  // ------------------------------------------------------------------ prompt, undo, history

  function showLines(lines, cls) {
    const box = $('#result');
    box.replaceChildren(...lines.map((l, i) => h('p', {
      className: cls === 'err' ? 'err' : l.startsWith('not understood') ? 'no' : i === 0 ? 'head' : '',
    }, l)));
  }

  async function sendNote(ev) {
    ev.preventDefault();
    const input = $('#note'), text = input.value.trim();
    if (!text) return;
    $('#apply').disabled = true;
    showLines([`\u2026 ${text}`]);
    try {
      const r = await postJSON('/api/note', { text });
      showLines(r.lines.length ? r.lines : ['nothing changed']);
      if (r.understood) input.value = '';
      applyState(r.state);
      for (const id of r.changed) if (els[id]) { els[id].el.classList.remove('flash'); void els[id].el.offsetWidth; els[id].el.classList.add('flash'); }
    } catch (e) {
      showLines([e.message], 'err');
    } finally {
      $('#apply').disabled = false;
    }
  }

  async function undo() {
    $('#undo').disabled = true;
    try {
      const r = await postJSON('/api/undo', {});
      showLines(r.lines);
      applyState(r.state);
    } catch (e) {
      showLines([e.message], 'err');
      $('#undo').disabled = false;
    }
  }

  function drawHistory() {
    const list = $('#history');
    const items = S.doc.history.slice().reverse();
    list.replaceChildren(...(items.length ? items.map((x) => h('li', {},
      h('span', { className: `kind ${x.kind}` }, x.kind === 'user' ? 'you' : x.kind), x.kind === 'note' ? `\u201c${x.note}\u201d` : x.note.replace(/ \(console\)$/, ''),
      x.kind === 'note' && x.changes.length ? h('div', { className: 'rule' }, x.changes.join('; ')) : null)) : [h('li', { className: 'none' }, 'no changes yet')]));
    list.start = items.length;
    $('#undo').disabled = !S.doc.can_undo;
  }

  // ------------------------------------------------------------------ status and state

  function setStatus() {
    const el = $('#status');
    const st = S.doc ? S.doc.status : null;
    const saving = Object.values(S.pending).some((n) => n > 0);
    let text = 'audio up to date', cls = 'ok';
    if (S.loadError) { text = S.loadError; cls = 'error'; }
    else if (st && st.error) { text = st.error; cls = 'error'; }
    else if (saving) { text = 'saving\u2026'; cls = 'busy'; }
    else if (st && (st.busy || st.pending)) { text = 're-rendering stems\u2026 (you hear your change live meanwhile)'; cls = 'busy'; }
    else if (S.loading) { text = 'loading new stems\u2026'; cls = 'busy'; }
    el.textContent = text;
    el.className = cls;
    S.busy = cls === 'busy';
  }

  function applyState(doc) {
    const rebuild = !S.doc || structureKey(S.doc) !== structureKey(doc);
    S.doc = doc;
    for (const s of doc.strips) {
      const cur = S.local[s.id] || {};
      const next = { fader_db: s.fader_db, pan: s.pan, mute: s.mute };
      for (const f of Object.keys(next)) {
        const busy = (S.pending[`${s.id}:${f}`] || 0) > 0 || (f === 'fader_db' && els[s.id] && els[s.id].fader.dataset.dragging === '1');
        if (busy && f in cur) next[f] = cur[f];
      }
      S.local[s.id] = next;
    }
    for (const id of [...S.solo]) if (!stripById(id)) S.solo.delete(id);
    $('#song').textContent = `${doc.name} \u00b7 ${doc.sample_rate / 1000} kHz \u00b7 ${fmtTime(doc.length_s)}`;
    document.title = `${doc.name} \u2013 faderpilot console`;
    if (rebuild) buildStrips();
    for (const s of doc.strips) updateStrip(s);
    drawHistory();
    $('#ab button[data-src="rough"]').disabled = !doc.rough.available;
    if (!doc.rough.available) $('#ab button[data-src="rough"]').title = 'No rough mix: this session was not fitted to one (faderpilot mix --rough)';
    if (S.panel && !$('#why').contains(document.activeElement)) {   // refresh, unless you are typing in it
      if (S.panel.what === 'strip') openStrip(S.panel.id, true); else openWhy(S.panel.id, S.panel.what, S.panel.sub, true);
    }
    maybeReload();
    drawOverview();
    live();
    setStatus();
    const st = doc.status;
    if (st && (st.busy || st.working || st.pending)) pollSoon();
  }

  /** Load new stems when the printed versions moved on, then swap them in together. */
  function maybeReload() {
    const want = S.doc.strips.map((s) => `${s.id}:${s.printed ? s.printed.v : '-'}`).join(',') + `|${S.doc.mix.v}`;
    if (S.modelKey === want || S.loadingKey === want) return;
    S.loadingKey = want;
    const doc = S.doc;
    S.loading = loadModel(doc).then((model) => {
      if (S.loadingKey !== want) return;
      const t = now(), was = S.playing;
      if (was) { stopSources(); S.playing = false; }
      S.model = model; S.modelKey = want; S.loading = null; S.loadError = null;
      if (S.ctx) rebuildGraph();
      if (was) play(t);
      live();
      setStatus();
      S.ready = true;
    }).catch((e) => { S.loading = null; S.loadingKey = null; S.loadError = `could not load the stems: ${e.message}`; setStatus(); });
    setStatus();
  }

  let pollTimer = null;
  /** Look at the server's status again shortly (after a change, the re-render is on its way). */
  function pollSoon() { clearTimeout(pollTimer); pollTimer = setTimeout(poll, 250); }

  async function poll() {
    clearTimeout(pollTimer);
    let delay = 2500;
    try {
      const st = await getJSON('/api/status');
      if (S.doc && (st.rev !== S.doc.rev || st.gen !== S.doc.status.gen || st.busy !== S.doc.status.busy || st.working !== S.doc.status.working || st.pending !== S.doc.status.pending || st.error !== S.doc.status.error)) {
        applyState(await getJSON('/api/state'));
      }
      delay = st.busy || st.working || st.pending || S.busy ? 400 : 2500;
    } catch (e) {
      S.loadError = 'lost the connection to the console server';
      setStatus();
      S.loadError = null;
    }
    pollTimer = setTimeout(poll, delay);
  }

  // ------------------------------------------------------------------ start

  async function main() {
    $('#play').addEventListener('click', () => (S.playing ? null : play()));
    $('#stop').addEventListener('click', stop);
    for (const b of document.querySelectorAll('#ab button')) b.addEventListener('click', () => setSource(b.dataset.src));
    $('#prompt').addEventListener('submit', sendNote);
    $('#undo').addEventListener('click', undo);
    $('#why-close').addEventListener('click', closePanel);
    $('#overview').addEventListener('click', (ev) => {
      const r = ev.currentTarget.getBoundingClientRect();
      seek(((ev.clientX - r.left) / r.width) * S.doc.length_s);
    });
    document.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') closePanel();
      const typing = ev.target instanceof HTMLInputElement || ev.target instanceof HTMLTextAreaElement;
      if (ev.key === ' ' && !typing && !(ev.target instanceof HTMLButtonElement)) {
        ev.preventDefault();
        if (S.playing) stop(); else play();
      }
    });
    window.addEventListener('resize', () => { S.overviewV = -1; drawOverview(); });
    try {
      applyState(await getJSON('/api/state'));
      await S.loading;
      drawClock();
    } catch (e) {
      S.loadError = e.message;
      setStatus();
    }
    pollTimer = setTimeout(poll, 1500);
  }

  /** For tests and the curious: the page's state, and the client mix rendered offline so it can
   * be compared with mix.wav sample by sample. */
  window.faderpilot = {
    get ready() { return S.ready; },
    state: () => S.doc,
    values: (o) => values(o),
    model: () => S.model,
    source: () => S.source,
    playing: () => S.playing,
    position: () => now(),
    corrections: (o) => (S.model ? corrections(S.model, values(o), S.solo) : null),
    /** True when nothing is waiting to be saved, rendered or loaded. */
    settled() {
      const st = S.doc && S.doc.status;
      return S.ready && !S.loading && !Object.values(S.pending).some((n) => n > 0) && !!st && !st.busy && !st.working && !st.pending
        && S.modelKey === S.doc.strips.map((s) => `${s.id}:${s.printed ? s.printed.v : '-'}`).join(',') + `|${S.doc.mix.v}`;
    },
    decode,
    panGains,
    async renderOffline(overrides, seconds) {
      const sr = S.doc.sample_rate, frames = Math.round((seconds || S.doc.length_s) * sr);
      const octx = new OfflineAudioContext(2, frames, sr);
      const g = buildGraph(octx, S.model, octx.destination);
      g.apply(values(overrides), S.solo, false);
      g.start(0, 0);
      return octx.startRendering();
    },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main); else main();
})();
