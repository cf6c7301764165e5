/**
 * A small ZIP writer (APPNOTE 6.3.x): each file deflated with `CompressionStream("deflate-raw")`,
 * which workerd has, or stored when deflating would not make it smaller (a PDF's streams are
 * mostly compressed already). No ZIP64: an archive and every file in it stay under 4 GiB, far
 * above what a batch can hold. Names are written as UTF-8 (general purpose flag bit 11).
 *
 * @example
 * const zip = await zipFiles([{ name: "001-invoice.pdf", data: pdf }]);
 */
export interface ZipEntry {
	name: string;
	data: Uint8Array;
	/** Modification time written for the entry; default now. */
	modified?: Date;
}

const METHOD_STORED = 0;
const METHOD_DEFLATE = 8;
const UTF8_NAMES = 1 << 11;
const ZIP_LIMIT = 0xffff_ffff;

export async function zipFiles(entries: ZipEntry[]): Promise<Uint8Array<ArrayBuffer>> {
	if (entries.length > 0xffff) throw new Error("a ZIP without ZIP64 holds at most 65535 files");
	const encoder = new TextEncoder();
	const parts: Uint8Array[] = [];
	const central: Uint8Array[] = [];
	let offset = 0;
	for (const entry of entries) {
		const name = encoder.encode(entry.name);
		const crc = crc32(entry.data);
		const deflated = await deflateRaw(entry.data);
		const [method, body] = deflated.byteLength < entry.data.byteLength ? [METHOD_DEFLATE, deflated] : [METHOD_STORED, entry.data];
		const { time, date } = dosDateTime(entry.modified ?? new Date());
		if (offset + 30 + name.byteLength + body.byteLength > ZIP_LIMIT) throw new Error("the archive would exceed 4 GiB");

		const local = new DataView(new ArrayBuffer(30));
		local.setUint32(0, 0x04034b50, true); // local file header signature
		local.setUint16(4, 20, true); // version needed: 2.0 (deflate)
		local.setUint16(6, UTF8_NAMES, true);
		local.setUint16(8, method, true);
		local.setUint16(10, time, true);
		local.setUint16(12, date, true);
		local.setUint32(14, crc, true);
		local.setUint32(18, body.byteLength, true); // compressed size
		local.setUint32(22, entry.data.byteLength, true); // uncompressed size
		local.setUint16(26, name.byteLength, true);
		local.setUint16(28, 0, true); // extra field length
		parts.push(new Uint8Array(local.buffer), name, body);

		const header = new DataView(new ArrayBuffer(46));
		header.setUint32(0, 0x02014b50, true); // central directory header signature
		header.setUint16(4, 20, true); // version made by: 2.0, MS-DOS attributes
		header.setUint16(6, 20, true);
		header.setUint16(8, UTF8_NAMES, true);
		header.setUint16(10, method, true);
		header.setUint16(12, time, true);
		header.setUint16(14, date, true);
		header.setUint32(16, crc, true);
		header.setUint32(20, body.byteLength, true);
		header.setUint32(24, entry.data.byteLength, true);
		header.setUint16(28, name.byteLength, true);
		// extra length, comment length, disk number, internal and external attributes: all 0
		header.setUint32(42, offset, true); // where the local header starts
		central.push(new Uint8Array(header.buffer), name);
		offset += 30 + name.byteLength + body.byteLength;
	}
	const centralSize = central.reduce((n, part) => n + part.byteLength, 0);
	const end = new DataView(new ArrayBuffer(22));
	end.setUint32(0, 0x06054b50, true); // end of central directory signature
	end.setUint16(8, entries.length, true); // entries on this disk
	end.setUint16(10, entries.length, true); // entries in all
	end.setUint32(12, centralSize, true);
	end.setUint32(16, offset, true); // where the central directory starts
	return concat([...parts, ...central, new Uint8Array(end.buffer)]);
}

async function deflateRaw(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate-raw"));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
	const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
	let at = 0;
	for (const part of parts) {
		out.set(part, at);
		at += part.byteLength;
	}
	return out;
}

/** MS-DOS time and date, in UTC (ZIP has no time zone; 1980 is the earliest it can say). */
function dosDateTime(when: Date): { time: number; date: number } {
	const year = Math.max(1980, when.getUTCFullYear());
	return {
		time: (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | Math.floor(when.getUTCSeconds() / 2),
		date: ((year - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate(),
	};
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as ZIP uses), table-driven. */
export function crc32(data: Uint8Array): number {
	const table = (crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	}));
	let crc = 0xffffffff;
	for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}
