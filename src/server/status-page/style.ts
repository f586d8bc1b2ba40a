/** The status page's stylesheet: system fonts, light and dark, one column on a phone. Inline, hashed in the CSP. */
export const STATUS_CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#5b6470;--line:#dde1e6;
--up:#1f9d55;--down:#d93a2b;--partial:#e3a008;--none:#c9ced6;--maint:#2b6fd6;--stale:#d9731a;--pending:#8a93a0}
@media (prefers-color-scheme:dark){:root{--bg:#0f1217;--card:#171b22;--text:#e6e9ee;--muted:#9aa4b1;--line:#2a313b;
--up:#34c172;--down:#f0584a;--partial:#f2b52b;--none:#3a424d;--maint:#5b93ee;--stale:#f08c3a;--pending:#6f7885}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
header,main,footer{max-width:960px;margin:0 auto;padding:0 16px}
header{padding-top:24px}
h1{font-size:1.5rem;margin:0 0 8px}
h2{font-size:1.1rem;margin:0;display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.summary{font-size:1.05rem;font-weight:600;margin:0 0 4px;display:flex;align-items:center;gap:8px}
.meta{color:var(--muted);font-size:.875rem;margin:0}
.banner{margin:12px 0 0;padding:8px 12px;border-radius:6px;background:var(--card);border:1px solid var(--down)}
.banner[hidden]{display:none}
.group{background:var(--card);border:1px solid var(--line);border-radius:10px;margin:16px 0;padding:14px 16px}
.deployments{list-style:none;margin:10px 0 0;padding:0}
.deployment{border-top:1px solid var(--line);padding:12px 0 8px}
.row{display:flex;flex-wrap:wrap;align-items:center;gap:6px 12px}
.model{font-weight:600;overflow-wrap:anywhere}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;background:var(--pending);flex:none}
.pill{font-size:.75rem;font-weight:600;padding:1px 8px;border-radius:999px;color:#fff;background:var(--pending)}
.dot.healthy,.pill.healthy{background:var(--up)}
.dot.unhealthy,.dot.down,.pill.unhealthy,.pill.down{background:var(--down)}
.dot.degraded,.pill.degraded{background:var(--partial)}
.dot.stale,.pill.stale{background:var(--stale)}
.dot.maintenance,.pill.maintenance{background:var(--maint)}
.pill.pending{background:var(--pending)}
.uptime{color:var(--muted);font-size:.875rem;font-weight:400}
.error{margin:6px 0 0;font:.8125rem/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--down);overflow-wrap:anywhere}
.bars-row{display:flex;align-items:center;gap:8px;margin-top:8px}
.bars{display:flex;gap:2px;flex:1;min-width:0;height:22px}
.bar{flex:1;min-width:2px;border-radius:2px;background:var(--none)}
.bar.up{background:var(--up)}.bar.down{background:var(--down)}.bar.partial{background:var(--partial)}.bar.maint{background:var(--maint)}
.bars-label{color:var(--muted);font-size:.75rem;width:6.5em;text-align:right;flex:none}
.spark{width:120px;height:28px;flex:none}
.spark polyline{fill:none;stroke:var(--muted);stroke-width:1.5}
.spark circle{fill:var(--down)}
.latency{color:var(--muted);font-size:.875rem}
footer{padding:8px 16px 32px;color:var(--muted);font-size:.8125rem;display:flex;gap:12px;align-items:center;flex-wrap:wrap}
form{margin:0}
button{font:inherit;padding:6px 14px;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--text);cursor:pointer}
.login{max-width:420px;margin:48px auto;background:var(--card);border:1px solid var(--line);border-radius:10px;padding:20px}
.login label{display:block;margin:12px 0 6px;font-weight:600}
.login input{width:100%;font:inherit;padding:8px 10px;border-radius:6px;border:1px solid var(--line);background:var(--bg);color:var(--text)}
.login button{margin-top:14px}
@media (max-width:560px){.spark{width:84px}.bars-label{width:5.5em}h1{font-size:1.3rem}}
`;
