import puppeteer from "puppeteer-core";
import { readdirSync, readFileSync } from "node:fs";
const browser = await puppeteer.launch({ executablePath: "/usr/bin/chromium", headless: true, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
const bp = browser.process().pid;
const cpu = () => { let t = 0; for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) { try { const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8"); if (!/chrom/.test(cmd) || /miniflare/.test(cmd)) continue; const st = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" "); t += Number(st[11]) + Number(st[12]); } catch {} } return t * 10; };
const bs = await browser.target().createCDPSession();
const mode = process.argv[2];
const sessions = [];
for (let i = 0; i < 4; i++) {
  const { targetId } = await bs.send("Target.createTarget", { url: "about:blank", ...(mode === "bgwin" ? { newWindow: true, background: true } : mode === "win" ? { newWindow: true } : mode === "hidden" ? { hidden: true } : {}) });
  const target = await browser.waitForTarget((t) => t._targetId === targetId);
  sessions.push(await target.createCDPSession());
}
const vis = async (cdp) => (await cdp.send("Runtime.evaluate", { expression: "new Promise(r => { const t = setTimeout(() => r(document.visibilityState + ' raf:no'), 300); requestAnimationFrame(() => { clearTimeout(t); r(document.visibilityState + ' raf:yes'); }); })", awaitPromise: true, returnByValue: true })).result.value;
console.log(mode, "before", await Promise.all(sessions.map(vis)));
await new Promise((r) => setTimeout(r, 1000));
let c0 = cpu(); await new Promise((r) => setTimeout(r, 3000)); console.log("idle cpu ms per s with 4 pages", Math.round((cpu() - c0) / 3));
await sessions[0].send("Page.bringToFront"); await sessions[2].send("Page.bringToFront");
console.log(mode, "after bringToFront 0,2", await Promise.all(sessions.map(vis)));
await browser.close();
