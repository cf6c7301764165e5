/** One email Quire sends: plain text, to one address, from `EMAIL_FROM`. */
export interface OutgoingEmail {
	to: string;
	subject: string;
	text: string;
}

/**
 * Test seam, and only that: when the `RECORD_SENT_EMAILS` binding is "true" (set by the vitest
 * config, never in wrangler.toml), every email sent is also kept here, so tests in workerd can read
 * the link it carries. The real binding is called all the same; `wrangler dev` logs its emails to files.
 */
export const sentEmails: OutgoingEmail[] = [];

/**
 * Sends through the `send_email` binding (Cloudflare Email Service; locally, wrangler's emulation
 * writes the text to a file and logs its path). Throws what the binding throws.
 */
export async function sendEmail(env: Env, email: OutgoingEmail): Promise<void> {
	await env.EMAIL.send({ from: env.EMAIL_FROM, to: email.to, subject: email.subject, text: email.text });
	if ((env as { RECORD_SENT_EMAILS?: string }).RECORD_SENT_EMAILS === "true") sentEmails.push(email);
}
