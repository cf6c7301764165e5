import { readFileSync, readdirSync } from "node:fs";
import Mustache from "mustache";
import puppeteer from "puppeteer-core";
const html = Mustache.render(readFileSync("templates/invoices/invoice.html","utf8"), JSON.parse(readFileSync("templates/invoices/invoice.sample.json","utf8")));
const variant = process.argv[2] ?? "ours"; const N = Number(process.argv[3] ?? 50);
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const bp = browser.process().pid;
const cpu = () => { const o = {}; for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); if (!/chrom/.test(cmd) || /miniflare/.test(cmd)) continue; const st = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); const k = pid == bp ? "browser" : (/--type=([a-z-]+)/.exec(cmd)?.[1] ?? "?"); o[k] = (o[k] ?? 0) + Number(st[11]) + Number(st[12]); } catch {} } return o; };
const flags = new Set(variant.split(","));
const bs = await browser.target().createCDPSession();
if (flags.has("fetch")) { bs.on("Fetch.requestPaused", (e) => bs.send("Fetch.continueRequest", { requestId: e.requestId }).catch(() => {})); await bs.send("Fetch.enable", { patterns: [{ urlPattern: "*" }] }); }
const PARAMS = { printBackground: true, paperWidth: 8.27, paperHeight: 11.7, marginTop: 0, marginBottom: 0, marginLeft: 0, marginRight: 0, generateTaggedPDF: true, transferMode: "ReturnAsBase64" };
const contexts = flags.has("ctx") ? await Promise.all([0,1,2,3].map(() => bs.send("Target.createBrowserContext", {}).then((r) => r.browserContextId))) : [];
let lane = 0;
async function open() {
  if (flags.has("ctx")) {
    const browserContextId = contexts[lane++ % contexts.length];
    const { targetId } = await bs.send("Target.createTarget", { url: "about:blank", browserContextId, background: true });
    const target = await browser.waitForTarget((t) => t._targetId === targetId);
    const cdp = await target.createCDPSession();
    return { targetId, cdp, browserContextId };
  }
  if (flags.has("raw")) {
    const { targetId } = await bs.send("Target.createTarget", { url: "about:blank", ...(flags.has("bg") ? { background: true } : {}), ...(flags.has("win") ? { newWindow: true } : {}), ...(flags.has("hid") ? { hidden: true } : {}), ...(flags.has("small") ? { width: 100, height: 100 } : {}) });
    const target = await browser.waitForTarget((t) => t._targetId === targetId);
    const cdp = await target.createCDPSession();
    return { targetId, cdp };
  }
  const page = await browser.newPage();
  const cdp = flags.has("extra") ? await page.createCDPSession() : page._client();
  return { page, cdp, targetId: page.target()._targetId };
}
const spares = [];
const refill = () => { while (spares.length < 4) { const p = open(); p.catch(() => {}); spares.push(p); } };
async function one() {
  const p = flags.has("pool") ? await spares.shift() : await open();
  if (flags.has("ctx")) await Promise.all([p.cdp.send("Page.bringToFront"), bs.send("Storage.clearCookies", { browserContextId: p.browserContextId })]);
  else if (flags.has("cookies")) await bs.send("Storage.clearCookies", {});
  if (flags.has("raw") || flags.has("ctx")) {
    if (flags.has("vis")) console.log((await p.cdp.send("Runtime.evaluate", { expression: "new Promise(r => { const t = setTimeout(() => r(document.visibilityState + ' raf:no'), 300); requestAnimationFrame(() => { clearTimeout(t); r(document.visibilityState + ' raf:yes'); }); })", awaitPromise: true, returnByValue: true })).result.value);
    await p.cdp.send("Page.setDocumentContent", { frameId: p.targetId, html }).catch(async () => { const { frameTree } = await p.cdp.send("Page.getFrameTree"); await p.cdp.send("Page.setDocumentContent", { frameId: frameTree.frame.id, html }); });
    await p.cdp.send("Runtime.evaluate", { expression: "new Promise(r => document.readyState === 'complete' ? r(1) : addEventListener('load', () => r(1)))", awaitPromise: true, returnByValue: true });
  } else {
    await p.page.setContent(html, { waitUntil: "domcontentloaded" });
    await p.page.evaluate("new Promise(r => document.readyState === 'complete' ? r(1) : addEventListener('load', () => r(1)))");
  }
  const { data } = await p.cdp.send("Page.printToPDF", PARAMS);
  bs.send("Target.closeTarget", { targetId: p.targetId }).catch(() => {});
  if (flags.has("pool")) refill();
  return data.length;
}
if (flags.has("pool")) refill();
for (let i = 0; i < 8; i++) await one();
await new Promise((r) => setTimeout(r, 500));
const c0 = cpu(); const n0 = process.cpuUsage(); const lat = [];
for (let i = 0; i < N; i++) { await new Promise((r) => setTimeout(r, 150)); const t = performance.now(); await one(); lat.push(performance.now() - t); }
await new Promise((r) => setTimeout(r, 500));
const c1 = cpu(); const n1 = process.cpuUsage(n0);
lat.sort((a, b) => a - b);
console.log(variant.padEnd(28), "p50", Math.round(lat[N >> 1]), "cpu ms/doc", JSON.stringify(Object.fromEntries(Object.keys(c1).map((k) => [k, Math.round((c1[k] - (c0[k] ?? 0)) * 10 / N)]))), "node", Math.round((n1.user + n1.system) / 1000 / N));
await browser.close();
