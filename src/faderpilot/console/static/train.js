// Ear training (coach.train): the server renders A and B with the mix's renderer and keeps the
// answer; the page plays them, sends the answer, shows the right one and highlights its strip.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const T = (window.faderpilotTrain = { round: null, played: 0, graded: 0, busy: false });
  const UNITS = { level: 'dB', eq: 'dB', pan: '', reverb: 'dB' };

  async function call(method, url, body) {
    const opt = { method, headers: {} };
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
    const r = await fetch(url, opt);
    const d = await r.json();
    if (!r.ok) throw new Error(d.error || d.message || `HTTP ${r.status}`);
    return d;
  }

  function showScores(s) {
    const body = $('train-scores').querySelector('tbody');
    body.textContent = '';
    for (const [k, v] of Object.entries(s.categories)) {
      const tr = document.createElement('tr');
      for (const x of [k, v.right, v.rounds, `${v.size} ${UNITS[k] || ''}`]) {
        const td = document.createElement('td');
        td.textContent = String(x);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }

  function fill(sel, items, value, text) {
    sel.textContent = '';
    for (const it of items) {
      const o = document.createElement('option');
      o.value = value(it);
      o.textContent = text(it);
      sel.appendChild(o);
    }
  }

  async function newRound() {
    if (T.busy) return;
    T.busy = true;
    $('train-now').textContent = 'rendering a round…';
    $('train-result').textContent = '';
    $('train-result').className = '';
    document.querySelectorAll('.strip.train-hit').forEach((e) => e.classList.remove('train-hit'));
    try {
      const r = await call('POST', '/api/train/round', {});
      T.round = r;
      $('train-a').src = `${r.a}?r=${r.round}`;
      $('train-b').src = `${r.b}?r=${r.round}`;
      fill($('train-track'), r.tracks, (t) => t.id, (t) => t.name);
      fill($('train-change'), r.changes, (c) => c.change, (c) => `${c.category}: ${c.change}`);
      $('train-play').disabled = false;
      $('train-answer').disabled = false;
      $('train-now').textContent = `round ${r.round}: ${r.seconds.toFixed(1)} s from ${r.start_s.toFixed(1)} s`;
      showScores(r.scores);
    } catch (e) {
      $('train-now').textContent = `could not make a round: ${e.message}`;
    } finally {
      T.busy = false;
    }
  }

  async function playAB() {
    const a = $('train-a'), b = $('train-b');
    b.pause();
    a.currentTime = 0;
    b.currentTime = 0;
    a.onended = () => { $('train-now').textContent = 'B: with the hidden change'; b.play(); };
    b.onended = () => { $('train-now').textContent = 'played A then B'; };
    $('train-now').textContent = 'A: the song';
    await a.play();
  }

  async function submit(ev) {
    ev.preventDefault();
    if (!T.round) return;
    const body = { round: T.round.round, track: $('train-track').value, change: $('train-change').value };
    try {
      const d = await call('POST', '/api/train/answer', body);
      T.graded += 1;
      T.last = d;
      const res = $('train-result');
      res.className = d.right ? 'right' : 'wrong';
      res.textContent = `${d.right ? 'Right' : 'Not quite'}: it was ${d.truth}.`;
      if (d.answer.track) {
        const strip = document.querySelector(`.strip[data-id="${d.answer.track}"]`);
        if (strip) { strip.classList.add('train-hit'); strip.scrollIntoView({ block: 'nearest', inline: 'center' }); }
      }
      showScores(d.scores);
      $('train-answer').disabled = true;
      T.round = null;
    } catch (e) {
      $('train-result').textContent = `could not grade: ${e.message}`;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    const panel = $('train');
    if (!panel) return;
    $('train-open').addEventListener('click', async () => {
      panel.hidden = !panel.hidden;
      $('train-open').classList.toggle('on', !panel.hidden);
      if (!panel.hidden) {
        try { showScores(await call('GET', '/api/train/scores')); } catch (e) { /* shown on the next round */ }
      }
    });
    $('train-new').addEventListener('click', newRound);
    $('train-play').addEventListener('click', playAB);
    $('train-a').addEventListener('playing', () => { T.played += 1; });
    $('train-b').addEventListener('playing', () => { T.played += 1; });
    $('train-form').addEventListener('submit', submit);
  });
})();
