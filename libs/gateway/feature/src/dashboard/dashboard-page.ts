/** The dashboard's page: a login form (the key stays in this tab's sessionStorage, never in a URL) and the panels the script fills. */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Agent control plane</title>
<link rel="stylesheet" href="/dashboard/vendor/uPlot.min.css">
<link rel="stylesheet" href="/dashboard/app.css">
</head>
<body>
<header><h1>Agent control plane</h1><span id="updated" class="muted"></span><button id="logout" hidden>Log out</button></header>
<section id="login">
  <form id="login-form" autocomplete="off">
    <label for="key">Gateway key</label>
    <input id="key" type="password" autocomplete="off" required minlength="8">
    <button type="submit">Open dashboard</button>
    <p id="login-error" class="bad" role="alert"></p>
  </form>
</section>
<main id="board" hidden>
  <div id="alert-banner" class="banner" hidden></div>
  <h2>Service level objectives</h2>
  <div id="slo-cards" class="cards"></div>
  <div class="grid">
    <section><h2>Breakers</h2><table id="breakers"><thead><tr><th>model</th><th>state</th><th>failures</th><th>since</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Alerts</h2><table id="alerts"><thead><tr><th>time</th><th>state</th><th>alert</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Recent failovers</h2><table id="failovers"><thead><tr><th>time</th><th>route</th><th>failed</th><th>served by</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Repairs</h2><table id="repairs"><thead><tr><th>time</th><th>request</th><th>repair</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Heartbeats</h2><table id="jobs"><thead><tr><th>job</th><th>schedule</th><th>status</th><th>last seen</th><th>next expected</th><th>failures</th><th>drift</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Spend</h2><table id="spend"><thead><tr><th>provider</th><th>model</th><th>24 h</th><th>30 d</th><th>calls 24 h</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Audit</h2><dl id="audit"></dl><button id="verify">Verify chain now</button></section>
  </div>
</main>
<script src="/dashboard/vendor/uPlot.iife.min.js"></script>
<script src="/dashboard/app.js"></script>
</body>
</html>
`;

export const DASHBOARD_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f5f6f8; color: #1d2330; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .8rem 1.2rem; background: #1d2330; color: #fff; }
header h1 { font-size: 1.1rem; margin: 0; }
header button { margin-left: auto; }
main, #login { padding: 1rem 1.2rem; }
h2 { font-size: 1rem; margin: 1rem 0 .5rem; }
.muted { color: #8a93a6; font-size: .85rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: .8rem; }
.card { background: #fff; border-radius: 8px; padding: .7rem .8rem; border-top: 4px solid #9aa3b5; box-shadow: 0 1px 2px #0001; }
.card.pass { border-top-color: #2e9d5b; } .card.fail { border-top-color: #d03b3b; }
.card h3 { margin: 0; font-size: .9rem; } .card .value { font-size: 1.5rem; font-weight: 600; }
.badges span { display: inline-block; font-size: .72rem; padding: 0 .35rem; margin: 0 .2rem .2rem 0; border-radius: 3px; background: #e6e8ee; }
.badges .pass { background: #d5f0df; } .badges .fail { background: #f7d4d4; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 1.2rem; }
table { width: 100%; border-collapse: collapse; background: #fff; font-size: .82rem; }
th, td { text-align: left; padding: .25rem .45rem; border-bottom: 1px solid #eceef3; }
.state-open, .state-stale, .state-failing, .bad, .state-raised { color: #c02929; font-weight: 600; }
.state-half_open, .state-running { color: #b7791f; font-weight: 600; }
.state-closed, .state-ok, .good, .state-resolved { color: #23804a; }
.banner { background: #d03b3b; color: #fff; padding: .5rem .8rem; border-radius: 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; background: #fff; padding: .5rem; margin: 0 0 .5rem; }
dt { color: #5b6477; } dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
form { display: flex; flex-direction: column; gap: .5rem; max-width: 320px; }
`;
