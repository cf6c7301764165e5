import type { App } from "../http/app-env";

/** Where `scripts/prepare.mjs` puts Scalar's browser bundle among the static assets (src/web/public). */
export const SCALAR_BUNDLE = "/vendor/scalar/standalone.js";

/**
 * Scalar's configuration, chosen so the page talks to this origin only: the bundle is served from
 * here, no web fonts (the default ones come from Scalar's font host), no telemetry, no AI agent
 * or MCP features (both on by default on localhost; they call Scalar's services), no developer
 * toolbar, and no request proxy: "Test request" calls this API directly (same origin, no CORS).
 */
export const SCALAR_CONFIG = {
	url: "/openapi.json",
	withDefaultFonts: false,
	telemetry: false,
	agent: { disabled: true },
	mcp: { disabled: true },
	showDeveloperTools: "never",
	showToolbar: "never",
	hideClientButton: true,
	documentDownloadType: "json",
	favicon: "/favicon.svg",
	defaultOpenAllTags: true,
	customCss: `
:root { --scalar-custom-header-height: 44px; }
.light-mode, .dark-mode {
  --scalar-font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  --scalar-font-code: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}`,
} as const;

/**
 * The page's policy backs the configuration up: even a feature missed above can't reach another
 * origin (`connect-src`, `img-src`, `font-src` are this origin's). Scalar injects its styles inline.
 */
function contentSecurityPolicy(nonce: string): string {
	return [
		"default-src 'self'",
		`script-src 'self' 'nonce-${nonce}'`,
		"style-src 'self' 'unsafe-inline'",
		"img-src 'self' data: blob:",
		"font-src 'self' data:",
		"connect-src 'self'",
		"worker-src 'self' blob:",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"form-action 'self'",
	].join("; ");
}

/** The reference page: a small header linking back to the site, then Scalar rendering /openapi.json. */
export function docsPage(nonce: string): string {
	// `<` escaped so no string in the configuration can close the script element.
	const config = JSON.stringify(SCALAR_CONFIG).replace(/</g, "\\u003c");
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · Quire</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { margin: 0; }
  .quire-nav { position: sticky; top: 0; z-index: 100; box-sizing: border-box; height: 44px; display: flex; gap: 20px; align-items: center; padding: 0 16px;
    font: 14px/1 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; background: #111827; color: #f9fafb; }
  .quire-nav a { color: inherit; text-decoration: none; }
  .quire-nav a:hover, .quire-nav a:focus-visible { text-decoration: underline; }
  .quire-nav .brand { font-weight: 600; margin-right: auto; }
  noscript p { font: 16px/1.5 system-ui, sans-serif; margin: 24px 16px; }
</style>
</head>
<body>
<nav class="quire-nav" aria-label="Quire">
  <a class="brand" href="/">Quire</a>
  <a href="/dashboard">Dashboard</a>
  <a href="/docs" aria-current="page">API reference</a>
  <a href="/openapi.json">OpenAPI JSON</a>
</nav>
<noscript><p>The interactive reference needs JavaScript. The API is described by its OpenAPI 3.1 document: <a href="/openapi.json">/openapi.json</a>.</p></noscript>
<div id="app"></div>
<script src="${SCALAR_BUNDLE}"></script>
<script nonce="${nonce}">Scalar.createApiReference("#app", ${config});</script>
</body>
</html>`;
}

/** `GET /docs`: the interactive API reference. A web page, so it is not in the OpenAPI document. */
export function registerDocs(app: App) {
	app.get("/docs", (c) => {
		const nonce = crypto.randomUUID().replace(/-/g, "");
		return c.html(docsPage(nonce), 200, {
			"Content-Security-Policy": contentSecurityPolicy(nonce),
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy": "no-referrer",
			"Cache-Control": "no-cache",
		});
	});
}
