import type { App } from "../../http/app-env";
import { publicOrigin } from "../../http/public-origin";
import { Layout, sendPage } from "../../web/layout";

/** `GET /`: what Quire is, and the quick start: sign up, then one request per PDF. */
export function registerHomePage(app: App) {
	app.get("/", (c) => {
		const base = publicOrigin(c.env, c.req.url);
		return sendPage(
			c,
			<Layout title="PDFs from templates and JSON" section="home">
				<section class="hero" aria-labelledby="hero-title">
					<h1 id="hero-title">Templates + JSON → PDF, at the edge</h1>
					<p class="lead">
						Send a template id (or your own HTML) and data; get a PDF back as bytes, a hosted URL, or a task with a signed webhook. 50 free documents every month, no
						card.
					</p>
					<p class="actions">
						<a class="button primary" href="/signup">
							Get an API key
						</a>
						<a class="button" href="/docs">
							Read the API reference
						</a>
					</p>
				</section>

				<section aria-labelledby="quick-start">
					<h2 id="quick-start">Quick start</h2>
					<ol class="steps">
						<li>
							<p>
								Sign up <a href="/signup">on the web</a>, or with one request. The key is shown once: keep it.
							</p>
							<pre tabindex={0}>
								<code>{`curl -X POST ${base}/v1/accounts \\
  -H "Content-Type: application/json" \\
  -d '{"email":"you@example.com"}'`}</code>
							</pre>
						</li>
						<li>
							<p>Generate a PDF from a built-in template:</p>
							<pre tabindex={0}>
								<code>{`curl -X POST ${base}/v1/generate \\
  -H "X-API-Key: qk_live_…" \\
  -H "Content-Type: application/json" \\
  -d '{"template_id":"invoices/invoice","data":{"client":"Acme Corp","total":"$564"}}' \\
  -o invoice.pdf`}</code>
							</pre>
						</li>
						<li>
							<p>
								Watch credits, usage and keys on the <a href="/dashboard">dashboard</a>, and try every template with your own data there: previews are made in test mode and cost
								nothing.
							</p>
						</li>
					</ol>
				</section>

				<section aria-labelledby="features">
					<h2 id="features">What you get</h2>
					<ul class="cards">
						<li>
							<h3>Familiar requests</h3>
							<p>The request and response shapes of the common PDF APIs: switching over means changing the base URL and the key.</p>
						</li>
						<li>
							<h3>Real Chromium</h3>
							<p>Modern CSS, web fonts, headers and footers with page numbers, every page size.</p>
						</li>
						<li>
							<h3>Async with webhooks</h3>
							<p>
								<code>async_mode: true</code> queues the job; a signed webhook brings the result.
							</p>
						</li>
						<li>
							<h3>Test mode</h3>
							<p>
								<code>qk_test_</code> keys (or <code>"test": true</code>) make watermarked PDFs that cost no credits.
							</p>
						</li>
					</ul>
				</section>
			</Layout>,
		);
	});
}
