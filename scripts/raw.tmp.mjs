import { readFileSync, readdirSync } from "node:fs";
import Mustache from "/work/main/node_modules/mustache/mustache.mjs";
import puppeteer from "puppeteer-core";
const root="/work/main"; const [kind="invoice", Narg="60"] = process.argv.slice(2); const N = Number(Narg);
const invoice = Mustache.render(readFileSync(root+"/templates/invoices/invoice.html","utf8"), JSON.parse(readFileSync(root+"/templates/invoices/invoice.sample.json","utf8")));
const html = kind === "tiny" ? "<p>hi</p>" : invoice;
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"] });
const bpid = browser.process().pid;
const cpu = () => { const o = {}; for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); if (!/chrom/.test(cmd) || /miniflare/.test(cmd)) continue; const st = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); const k = (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? "browser"); o[k] = (o[k] ?? 0) + Number(st[11]) + Number(st[12]) + (k === "zygote" ? Number(st[13]) + Number(st[14]) : 0); } catch {} } return o; };
const one = async () => { const page = await browser.newPage(); await page.setContent(html, { waitUntil: "load" }); const pdf = await page.pdf({ format: "A4", printBackground: true, margin: { top: 0, right: 0, bottom: 0, left: 0 } }); await page.close(); return pdf; };
for (let i = 0; i < 10; i++) await one();
const pct = (a, p) => { const s=[...a].sort((x,y)=>x-y); return Math.round(s[Math.min(s.length-1, Math.ceil(p/100*s.length)-1)]*10)/10; };
const c0 = cpu(); const n0 = process.cpuUsage(); const rows = [];
for (let i = 0; i < N; i++) { const t = performance.now(); await one(); rows.push(performance.now() - t); }
const c1 = cpu(); const n1 = process.cpuUsage(n0);
console.log(kind, "raw p50", pct(rows,50), "p95", pct(rows,95), "chromium cpu ms/doc", JSON.stringify(Object.fromEntries(Object.keys(c1).map((k) => [k, Math.round((c1[k] - (c0[k] ?? 0)) * 10 / N)]))), "node cpu ms/doc", Math.round((n1.user+n1.system)/1000/N));
if (process.env.C) { for (let round = 0; round < 2; round++) { let next = 0; const t = performance.now(); await Promise.all(Array.from({ length: Number(process.env.C) }, async () => { while (next++ < 48) await one(); })); console.log("raw c" + process.env.C, (48 / ((performance.now() - t) / 1000)).toFixed(1), "docs/s"); } }
await browser.close();
