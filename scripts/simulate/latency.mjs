// Round-trip times between the nine Durable Object regions, in milliseconds.
//
// Source: Microsoft, "Azure network round-trip latency statistics"
// (https://learn.microsoft.com/azure/networking/azure-network-latency), the dataset of
// 2026-07-30: the monthly P95 round trip between Azure regions over 30 days, measured by probes
// every minute on Azure's backbone. Azure is used because it publishes a full table between
// regions on every continent that has a Durable Object region (AWS has no region in Eastern
// Europe; Cloudflare publishes no table between its own locations). Each Durable Object region
// (https://developers.cloudflare.com/durable-objects/reference/data-location/) stands for one
// Azure region in the same place:
//
//   wnam  West US (California)          enam  East US (Virginia)
//   sam   Brazil South (São Paulo)      weur  West Europe (Netherlands)
//   eeur  Poland Central (Warsaw)       apac  Southeast Asia (Singapore)
//   oc    Australia East (Sydney)       afr   South Africa North (Johannesburg)
//   me    UAE North (Dubai)
//
// The table gives each direction; the figure here is the mean of the two, rounded. Being P95s,
// they are a little above typical round trips: pessimistic for every cross-region hop alike.

/** @type {readonly string[]} */
export const REGION_ORDER = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"];

/** Symmetric round trips between the regions above (rows and columns in REGION_ORDER). */
const TABLE = [
	//  wnam enam  sam weur eeur apac   oc  afr   me
	[0, 73, 171, 152, 168, 172, 142, 279, 253], // wnam
	[73, 0, 120, 90, 108, 229, 207, 226, 191], // enam
	[171, 120, 0, 190, 212, 337, 298, 327, 291], // sam
	[152, 90, 190, 0, 28, 182, 282, 171, 124], // weur
	[168, 108, 212, 28, 0, 202, 300, 199, 139], // eeur
	[172, 229, 337, 182, 202, 0, 98, 201, 89], // apac
	[142, 207, 298, 282, 300, 98, 0, 348, 181], // oc
	[279, 226, 327, 171, 199, 201, 348, 0, 105], // afr
	[253, 191, 291, 124, 139, 89, 181, 105, 0], // me
];

/**
 * A round trip inside one region: between the data center a client's request lands in and the one
 * a Durable Object with that region's location hint runs in. The same table's nearest pairs in one
 * geography measure 11 to 26 ms (East US–East US 2 11, West Europe–France Central 15, Australia
 * East–Southeast 16, UAE North–Qatar Central 17, South Africa North–West 24, West US–West US 2 26):
 * 20 ms, for every region.
 */
export const INTRA_REGION_RTT_MS = 20;

/**
 * The client's own hop to the nearest Cloudflare location is left out: it is the same for every
 * design (the Worker runs where the client connects either way), so it shifts every figure
 * equally and compares nothing.
 */
export const CLIENT_TO_POP_MS = 0;

/** The round trip between two regions, in milliseconds. */
export function rtt(from, to) {
	if (from === to) return INTRA_REGION_RTT_MS;
	const i = REGION_ORDER.indexOf(from);
	const j = REGION_ORDER.indexOf(to);
	if (i < 0 || j < 0) throw new Error(`no round-trip time between ${from} and ${to}`);
	return TABLE[i][j];
}
