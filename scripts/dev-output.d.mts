// Types of dev-output.mjs, for the TypeScript tests.
export interface Noise {
	pattern: RegExp;
	/** Why nobody running `npm start` needs the line. */
	why: string;
}

export const NOISE: Noise[];
export const NOISE_BLOCKS: Array<{ start: RegExp; why: string }>;

export function devOutputFilter(emit: (line: string) => void): { write(chunk: string): void; end(): void };
