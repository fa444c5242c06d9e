"""``GET /``: a read-only dashboard page — one self-contained HTML file, no build step.

The page itself holds no data (so it needs no key); it asks for the API key, keeps it in the
tab's ``sessionStorage`` only, and polls ``/api/status`` with it every few seconds. Every value
is inserted as text, never as HTML, so nothing the API returns can run as script.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gal-Friday</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222;background:#fafafa}
h1{font-size:1.3rem;margin:0 0 .8rem}
.card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin-bottom:1rem}
#halt{display:none;background:#c0392b;color:#fff;font-weight:600}
table{border-collapse:collapse;width:100%}
td,th{text-align:right;padding:.25rem .5rem;border-bottom:1px solid #eee}
td:first-child,th:first-child{text-align:left}.muted{color:#777}.bad{color:#c0392b}
</style></head><body>
<h1>Gal-Friday <span id="state" class="muted">–</span></h1>
<form id="login" class="card">API key <input id="key" type="password" autocomplete="off">
<button>Connect</button> <span id="error" class="bad"></span></form>
<div id="halt" class="card"></div>
<div class="card"><table><tbody id="summary"></tbody></table></div>
<div class="card"><table><thead><tr><th>Pair</th><th>Qty</th><th>Avg price</th><th>Mark</th>
<th>Unrealised P&amp;L</th></tr></thead><tbody id="positions"></tbody></table></div>
<script>
"use strict";
const $ = id => document.getElementById(id);
function row(cells) {
  const tr = document.createElement("tr");
  for (const c of cells) { const td = document.createElement("td"); td.textContent = c; tr.append(td); }
  return tr;
}
const pct = x => (100 * x).toFixed(2) + " %";
function show(s) {
  $("state").textContent = `${s.system_state} · ${s.mode} · up ${Math.round(s.uptime_s)} s`;
  const halt = $("halt");
  if (s.halt) {
    halt.style.display = "block";
    halt.textContent = `HALTED by ${s.halt.trigger} at ${s.halt.triggered_at}: ${s.halt.reason}. ` +
      `Checklist missing: ${s.halt.missing_items.join(", ") || "nothing (ready to resume)"}`;
  } else { halt.style.display = "none"; }
  const p = s.portfolio, d = p.drawdowns;
  $("summary").replaceChildren(
    row(["Equity", p.equity]), row(["Cash", p.cash]), row(["Available", p.available_balance]),
    row(["Realised P&L (session)", s.pnl.realized_session]), row(["Unrealised P&L", s.pnl.unrealized]),
    row(["Drawdown daily / weekly / total", `${pct(d.daily)} / ${pct(d.weekly)} / ${pct(d.total)}`]),
    row(["Exposure", pct(p.exposure_pct)]), row(["Open orders", s.open_orders]),
    row(["Trades closed", s.trades_closed]), row(["Config", s.config_hash.slice(0, 12)]));
  $("positions").replaceChildren(...p.positions.map(
    x => row([x.pair, x.qty, x.avg_price, x.market_price, x.unrealized_pnl])));
}
async function poll() {
  const key = sessionStorage.getItem("galfriday-key");
  if (key === null) return;
  try {
    const r = await fetch("/api/status", {headers: {"X-API-Key": key}});
    if (r.status === 401) {
      $("error").textContent = "wrong key"; sessionStorage.removeItem("galfriday-key"); return;
    }
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    $("error").textContent = ""; $("login").style.display = "none"; show(await r.json());
  } catch (e) { $("error").textContent = `cannot reach the API (${e.message})`; }
}
$("login").addEventListener("submit", ev => {
  ev.preventDefault(); sessionStorage.setItem("galfriday-key", $("key").value); $("key").value = ""; poll();
});
poll(); setInterval(poll, 3000);
</script></body></html>
"""


def dashboard_router() -> APIRouter:
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    return router
