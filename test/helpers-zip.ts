/**
 * A ZIP reader for the tests, written from APPNOTE independently of src/pdf/zip.ts: it walks the
 * end-of-central-directory record, the central directory and each local header, inflates deflated
 * entries with `DecompressionStream("deflate-raw")`, and checks every CRC-32 (computed bit by bit,
 * not with the writer's table) and both recorded sizes.
 */
export interface UnzippedEntry {
	name: string;
	method: number;
	data: Uint8Array;
}

export async function unzip(bytes: Uint8Array): Promise<UnzippedEntry[]> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const eocd = bytes.byteLength - 22; // no archive comment
	if (view.getUint32(eocd, true) !== 0x06054b50) throw new Error("no end of central directory record");
	const count = view.getUint16(eocd + 10, true);
	let at = view.getUint32(eocd + 16, true);
	const entries: UnzippedEntry[] = [];
	for (let i = 0; i < count; i++) {
		if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`central header ${i} has a bad signature`);
		const method = view.getUint16(at + 10, true);
		const crc = view.getUint32(at + 16, true);
		const compressed = view.getUint32(at + 20, true);
		const size = view.getUint32(at + 24, true);
		const nameLength = view.getUint16(at + 28, true);
		const extra = view.getUint16(at + 30, true);
		const comment = view.getUint16(at + 32, true);
		const local = view.getUint32(at + 42, true);
		const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
		at += 46 + nameLength + extra + comment;

		if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`${name}: bad local header`);
		if (view.getUint32(local + 14, true) !== crc || view.getUint32(local + 18, true) !== compressed) throw new Error(`${name}: local and central headers differ`);
		const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
		const body = bytes.subarray(start, start + compressed);
		const data = method === 0 ? body.slice() : method === 8 ? await inflate(body) : null;
		if (!data) throw new Error(`${name}: unknown method ${method}`);
		if (data.byteLength !== size) throw new Error(`${name}: ${data.byteLength} bytes, ${size} recorded`);
		if (bitwiseCrc32(data) !== crc) throw new Error(`${name}: CRC mismatch`);
		entries.push({ name, method, data });
	}
	return entries;
}

async function inflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function bitwiseCrc32(data: Uint8Array): number {
	let crc = ~0;
	for (const byte of data) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc >>> 0;
}
