/**
 * Where documents render. Renderer objects belong to a region, one per Durable Object location
 * hint, and a document renders in the enabled region nearest its client: Browser Rendering opens
 * a browser close to the object that asks for it, so a client in Sydney gets a browser in Oceania
 * instead of one an ocean away. The mapping (docs/fleet.md#regions) reads `request.cf`.
 */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];

export function isRegion(value: unknown): value is Region {
	return typeof value === "string" && (REGIONS as readonly string[]).includes(value);
}

/** Every region's neighbours, nearest first (by round-trip time): where its documents go when it is not enabled. */
const NEAREST: Record<Region, readonly Region[]> = {
	wnam: ["wnam", "enam", "sam", "apac", "oc", "weur", "eeur", "me", "afr"],
	enam: ["enam", "wnam", "weur", "sam", "eeur", "afr", "me", "apac", "oc"],
	sam: ["sam", "enam", "wnam", "weur", "afr", "eeur", "me", "apac", "oc"],
	weur: ["weur", "eeur", "enam", "afr", "me", "wnam", "sam", "apac", "oc"],
	eeur: ["eeur", "weur", "me", "afr", "enam", "apac", "wnam", "sam", "oc"],
	apac: ["apac", "oc", "me", "wnam", "eeur", "weur", "enam", "afr", "sam"],
	oc: ["oc", "apac", "wnam", "me", "enam", "eeur", "weur", "sam", "afr"],
	afr: ["afr", "weur", "eeur", "me", "enam", "sam", "apac", "wnam", "oc"],
	me: ["me", "eeur", "weur", "afr", "apac", "enam", "oc", "wnam", "sam"],
};

/** Countries of Europe east of the weur/eeur line (Durable Objects' eeur serves them). */
const EASTERN_EUROPE = new Set(["PL", "CZ", "SK", "HU", "RO", "BG", "GR", "FI", "EE", "LV", "LT", "UA", "BY", "MD", "RU", "RS", "HR", "SI", "BA", "ME", "MK", "AL", "XK", "CY"]);
/** Countries of Asia that the Middle East region (`me`) serves. */
const MIDDLE_EAST = new Set(["AE", "SA", "QA", "BH", "KW", "OM", "IL", "PS", "JO", "LB", "SY", "IQ", "IR", "YE", "TR", "GE", "AM", "AZ"]);

/**
 * Cloudflare data centres (the `colo` IATA code) for requests whose `cf` has no continent or
 * country: the larger ones of each region. Anything else falls back to the first enabled region.
 */
const COLOS: Record<string, Region> = {
	SEA: "wnam", SJC: "wnam", LAX: "wnam", SFO: "wnam", PDX: "wnam", DEN: "wnam", PHX: "wnam", YVR: "wnam", SLC: "wnam", LAS: "wnam",
	IAD: "enam", EWR: "enam", ATL: "enam", ORD: "enam", DFW: "enam", MIA: "enam", BOS: "enam", YYZ: "enam", YUL: "enam", IAH: "enam", MEX: "enam",
	GRU: "sam", GIG: "sam", EZE: "sam", SCL: "sam", BOG: "sam", LIM: "sam",
	LHR: "weur", CDG: "weur", AMS: "weur", FRA: "weur", MAD: "weur", MXP: "weur", DUB: "weur", ZRH: "weur", BRU: "weur", LIS: "weur", CPH: "weur", OSL: "weur", ARN: "weur",
	WAW: "eeur", PRG: "eeur", VIE: "eeur", BUD: "eeur", OTP: "eeur", SOF: "eeur", ATH: "eeur", HEL: "eeur", KBP: "eeur",
	NRT: "apac", HND: "apac", KIX: "apac", ICN: "apac", HKG: "apac", SIN: "apac", TPE: "apac", BOM: "apac", DEL: "apac", MAA: "apac", BKK: "apac", KUL: "apac", CGK: "apac", MNL: "apac",
	SYD: "oc", MEL: "oc", BNE: "oc", PER: "oc", AKL: "oc", ADL: "oc",
	JNB: "afr", CPT: "afr", LOS: "afr", NBO: "afr", CAI: "afr", CMN: "afr",
	DXB: "me", DOH: "me", TLV: "me", RUH: "me", JED: "me", BAH: "me", KWI: "me", IST: "me", AMM: "me",
};

/** What of `request.cf` the mapping reads. */
export interface ClientLocation {
	continent?: string;
	country?: string;
	longitude?: string | number;
	colo?: string;
}

/**
 * The client's own region: by continent, refined by country (Europe east/west, Asia's Middle
 * East) and longitude (North America west of 100° W is `wnam`); by data centre when `cf` has no
 * continent; undefined when nothing is known (then the caller's fallback applies).
 */
export function homeRegion(cf: ClientLocation | undefined): Region | undefined {
	if (!cf) return undefined;
	const country = cf.country?.toUpperCase();
	const longitude = Number(cf.longitude);
	switch (cf.continent?.toUpperCase()) {
		case "NA":
			return Number.isFinite(longitude) && longitude < -100 ? "wnam" : "enam";
		case "SA":
			return "sam";
		case "EU":
			if (country) return EASTERN_EUROPE.has(country) ? "eeur" : "weur";
			return Number.isFinite(longitude) && longitude >= 19 ? "eeur" : "weur";
		case "AS":
			return country && MIDDLE_EAST.has(country) ? "me" : "apac";
		case "OC":
		case "AN":
			return "oc";
		case "AF":
			return "afr";
	}
	return cf.colo ? COLOS[cf.colo.toUpperCase()] : undefined;
}

/** The enabled region nearest the client; the first enabled region when nothing locates it. */
export function regionFor(cf: ClientLocation | undefined, enabled: readonly Region[]): Region {
	return nearestEnabled(homeRegion(cf), enabled);
}

/** `home` if it is enabled, else the enabled region nearest it. */
export function nearestEnabled(home: Region | undefined, enabled: readonly Region[]): Region {
	if (!home) return enabled[0] ?? "enam";
	return NEAREST[home].find((region) => enabled.includes(region)) ?? enabled[0] ?? home;
}
