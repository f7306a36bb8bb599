"""The HTML report's inline stylesheet: system fonts only, no url(), no @import, so nothing is fetched.

Compact by design (issue 18 §2): a secret is one line until opened; phones stack each line; printed, every
row opens (`::details-content`, Chromium 131+ and Firefox 143+) and a secret's heading stays with its details.
"""

from __future__ import annotations

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --accent:#0969da; --red:#d1242f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color:var(--fg);
  background:#fff; overflow-wrap:anywhere; }
main { max-width:1160px; margin:0 auto; padding:20px 24px; }
h1 { margin:0; font-size:22px; }
h2 { margin:24px 0 8px; font-size:17px; }
h3 { margin:16px 0 6px; font-size:15px; }
h4 { margin:8px 0 2px; font-size:13px; }
h2 small { font-weight:normal; }
code { font:12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background:var(--bg);
  padding:1px 4px; border-radius:4px; word-break:break-all; }
.meta { color:var(--muted); margin:2px 0 0; }
.verdict { font-size:16px; font-weight:600; margin:12px 0 0; padding:10px 14px; border-radius:8px;
  border-left:6px solid; }
.verdict-bad { background:#ffebe9; border-color:var(--red); }
.verdict-warn { background:#fff8c5; border-color:#9a6700; }
.verdict-clean { background:#dafbe1; border-color:#1a7f37; }
.verdict .note { font-weight:normal; color:var(--muted); }
.cards { display:flex; flex-wrap:wrap; gap:8px; margin-top:14px; }
.card { border:1px solid var(--line); border-top:4px solid var(--line); border-radius:8px; padding:6px 12px;
  min-width:104px; background:var(--bg); }
.card b { display:block; font-size:22px; line-height:1.2; white-space:nowrap; }
.card span { color:var(--muted); }
.card small { display:block; color:var(--muted); font-size:12px; }
.c-critical { border-top-color:#a40e26; } .c-high { border-top-color:var(--red); }
.c-medium { border-top-color:#9a6700; } .c-low { border-top-color:var(--accent); }
.c-live { border-top-color:var(--red); background:#ffebe9; } .c-possibly-live { border-top-color:#bc4c00; }
.c-dead { border-top-color:#1a7f37; } .c-not-verified { border-top-color:var(--muted); }
.split { display:grid; grid-template-columns:minmax(0, 1fr) minmax(0, 1.3fr); gap:24px; }
.split h2 { margin-top:16px; }
dl.provenance { grid-template-columns:150px minmax(0, 1fr); font-size:13px; margin:0; }
.scroll { overflow-x:auto; }  /* a wide table scrolls by itself, never the page */
table { border-collapse:collapse; width:100%; margin:4px 0; font-size:13px; }
th, td { border-bottom:1px solid var(--line); padding:4px 8px; text-align:left; vertical-align:top; }
th { background:var(--bg); font-weight:600; }
th, .sev, .pill, .card b, .date { white-space:nowrap; overflow-wrap:normal; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.sev { display:inline-block; padding:0 8px; border-radius:10px; color:#fff; font-size:11px; font-weight:600;
  text-transform:uppercase; text-align:center; }
.sev-critical { background:#a40e26; } .sev-high { background:var(--red); } .sev-medium { background:#9a6700; }
.sev-low { background:var(--accent); } .sev-info { background:var(--muted); }
.pill { display:inline-block; padding:0 7px; border-radius:10px; font-size:12px; border:1px solid var(--line);
  white-space:nowrap; }
.pill-live { background:#ffebe9; border-color:var(--red); color:#a40e26; font-weight:600; }
.pill-possibly-live { background:#fff1e5; border-color:#bc4c00; color:#953800; }
.pill-dead { background:#dafbe1; border-color:#1a7f37; color:#116329; }
.pill-not-verified, .pill-canary { color:var(--muted); }
.pill-at-HEAD { border-color:var(--red); color:#a40e26; }
.pill-history-only { color:var(--muted); border-style:dashed; }
.pill-triage { background:#ddf4ff; border-color:var(--accent); color:#0550ae; font-weight:600; }
.state { font-weight:600; } .state-active { color:var(--red); } .state-not-checked { color:var(--muted); }
.alert { color:var(--red); font-weight:600; }
.secrets { border:1px solid var(--line); border-radius:8px; }
details.secret + details.secret { border-top:1px solid var(--line); }
details.secret > summary { display:grid; grid-template-columns:84px minmax(0, 1fr) auto minmax(0, 200px) 86px;
  gap:10px; align-items:center; padding:6px 12px; cursor:pointer; list-style:none; }
details.secret > summary::-webkit-details-marker { display:none; }
details.secret > summary { position:relative; padding-left:20px; }
details.secret > summary::before { content:"▸"; position:absolute; left:6px; top:7px; color:var(--muted); }
details.secret[open] > summary::before { content:"▾"; }
details.secret > summary:hover { background:var(--bg); }
.what code { margin-left:4px; white-space:nowrap; }
.where { color:var(--muted); font-size:12px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.since { color:var(--muted); font-size:12px; font-variant-numeric:tabular-nums; text-align:right; }
details.secret .body { padding:4px 14px 12px 24px; border-top:1px dashed var(--line); }
dl { display:grid; grid-template-columns:110px minmax(0, 1fr); gap:3px 12px; margin:8px 0; }
dt { color:var(--muted); }
dd { margin:0; min-width:0; }
.fix { background:#fff8c5; border:1px solid #d4a72c66; border-radius:6px; padding:6px 12px;
  margin-top:8px; font-size:13px; }
#fix ol { margin:4px 0; padding-left:20px; }
.places td:first-child { width:38%; }
.refs { margin:4px 0 0; color:var(--muted); }
details.more > summary { cursor:pointer; color:var(--accent); font-size:13px; }
details.breakdown { margin-top:24px; border-top:1px solid var(--line); }
details.breakdown > summary { cursor:pointer; }
details.breakdown > summary h2 { display:inline; }
.bars { margin:8px 0 12px; }
.bar { display:flex; align-items:center; gap:8px; margin:2px 0; }
.bar .label { width:110px; color:var(--muted); font-variant-numeric:tabular-nums; }
.bar .fill { height:12px; background:var(--red); border-radius:3px; }
small { color:var(--muted); font-weight:normal; }
.empty { color:var(--muted); font-style:italic; }
#notes ul { padding-left:20px; }
@media (max-width: 700px) {
  main { padding:12px; }
  .split { grid-template-columns:minmax(0, 1fr); gap:0; }
  details.secret > summary { grid-template-columns:76px minmax(0, 1fr); gap:4px 8px; }
  details.secret > summary .tags, details.secret > summary .where { grid-column:2; }
  details.secret > summary .since { grid-column:2; text-align:left; }
  dl { grid-template-columns:minmax(0, 1fr); }
  dl > dt { font-weight:600; margin-top:4px; }
  dl.provenance { grid-template-columns:84px minmax(0, 1fr); }
  dl.provenance > dt { font-weight:normal; margin-top:0; }
  .card { min-width:0; flex:1 1 30%; padding:6px 8px; }
  .card b { font-size:18px; }
  .places th:nth-child(3), .places td:nth-child(3) { display:none; }
}
@media print {
  body { font-size:12px; }
  main { max-width:none; padding:0; }
  .split { grid-template-columns:minmax(0, 1fr) minmax(0, 1.2fr); }
  details::details-content { content-visibility:visible; display:contents; }
  details.secret > summary::before { content:""; }
  /* open rows list every place: the row's short "where" would repeat it */
  details.secret > summary { grid-template-columns:84px minmax(0, 1fr) auto 86px; }
  details.secret > summary .where { display:none; }
  details.secret > summary, h2, h3, dt { break-after:avoid; }
  tr, dd, .fix { break-inside:avoid; }
  .verdict, .card, .pill, .sev, .fix { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  a { color:inherit; }
}
"""
