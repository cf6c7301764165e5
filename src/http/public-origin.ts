/**
 * The origin of every URL Quire hands out (hosted PDFs, `check_status_url`, the task's `url`, the
 * pages' quick start): the `PUBLIC_ORIGIN` var when it is set, else the origin the request came
 * to. A request's origin is taken from its `Host`, which the client chooses; a configured origin
 * is not. A PUBLIC_ORIGIN that is not an http(s) origin throws: a misconfiguration, found before
 * anything is charged.
 *
 * @example publicOrigin({ PUBLIC_ORIGIN: "https://pdf.example.com" }, "http://10.0.0.7/v1/generate") // "https://pdf.example.com"
 * @example publicOrigin({ PUBLIC_ORIGIN: "" }, "http://localhost:8787/v1/generate") // "http://localhost:8787"
 */
export function publicOrigin(env: Pick<Env, "PUBLIC_ORIGIN">, requestUrl: string): string {
	const configured = env.PUBLIC_ORIGIN.trim();
	if (configured === "") return new URL(requestUrl).origin;
	// Scheme, host and optional port, as written (an optional trailing slash aside): nothing for the URL parser to guess.
	const url = /^https?:\/\/[^/?#@\\]+\/?$/i.test(configured) && URL.canParse(configured) ? new URL(configured) : null;
	if (!url) throw new Error(`PUBLIC_ORIGIN must be an http(s) origin such as https://pdf.example.com, not ${JSON.stringify(configured)}`);
	return url.origin;
}
