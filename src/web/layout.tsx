import type { Context } from "hono";
import type { Child } from "hono/jsx";

/**
 * What the pages may load: only this origin (scripts, styles and the reference's bundle are
 * self-hosted), plus `blob:` frames for PDF previews made in the browser.
 */
const PAGE_CSP = [
	"default-src 'self'",
	"img-src 'self' data: blob:",
	"frame-src 'self' blob:",
	"connect-src 'self' blob:",
	"object-src 'self' blob:",
	"base-uri 'none'",
	"form-action 'self'",
	"frame-ancestors 'none'",
].join("; ");

type Section = "home" | "signup" | "dashboard" | "docs";

/** The shell every page shares: header with navigation, main landmark, footer. */
export function Layout(props: { title: string; section: Section; script?: string; children: Child }) {
	const link = (href: string, section: Section, label: string) => (
		<a href={href} aria-current={props.section === section ? "page" : undefined}>
			{label}
		</a>
	);
	return (
		<html lang="en">
			<head>
				<meta charset="utf-8" />
				<meta name="viewport" content="width=device-width, initial-scale=1" />
				<title>{`${props.title} · Quire`}</title>
				<meta name="description" content="Quire turns a template and JSON data into a PDF, at the edge." />
				<link rel="icon" href="/favicon.svg" type="image/svg+xml" />
				<link rel="stylesheet" href="/app.css" />
				{props.script && <script type="module" src={props.script}></script>}
			</head>
			<body>
				<a class="skip-link" href="#main">
					Skip to content
				</a>
				<header class="site-header">
					<nav aria-label="Main" class="wrap">
						<a href="/" class="brand" aria-current={props.section === "home" ? "page" : undefined}>
							<img src="/favicon.svg" alt="" width="24" height="24" /> Quire
						</a>
						<ul>
							<li>{link("/docs", "docs", "API reference")}</li>
							<li>{link("/dashboard", "dashboard", "Dashboard")}</li>
							<li>{link("/signup", "signup", "Sign up")}</li>
						</ul>
					</nav>
				</header>
				<main id="main" class="wrap">
					{props.script && (
						<noscript>
							<p class="panel notice">
								This page needs JavaScript. Everything it does is also one request to the API: see the <a href="/">quick start</a> and the{" "}
								<a href="/openapi.json">OpenAPI document</a>.
							</p>
						</noscript>
					)}
					{props.children}
				</main>
				<footer class="site-footer wrap">
					<p>
						Quire · <a href="/openapi.json">OpenAPI 3.1</a> · <a href="/health">Status</a>
					</p>
				</footer>
			</body>
		</html>
	);
}

/** Where a page's script puts a secret shown once (a new key, a webhook secret), with its copy button. */
export function SecretValue(props: { id: string }) {
	return (
		<div class="secret">
			<code id={props.id}></code>
			<button type="button" data-copy={props.id}>
				Copy
			</button>
		</div>
	);
}

/** Sends a page: the doctype, the document, and headers that keep it from loading anything foreign. */
export function sendPage(c: Context, page: Child) {
	return c.html(`<!doctype html>${page}`, 200, {
		"Content-Security-Policy": PAGE_CSP,
		"Referrer-Policy": "same-origin",
		"X-Content-Type-Options": "nosniff",
		"Cache-Control": "no-cache",
	});
}
