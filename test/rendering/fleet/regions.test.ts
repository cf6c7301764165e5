import { describe, expect, it } from "vitest";
import { homeRegion, REGIONS, regionFor } from "../../../src/rendering/fleet/regions";

describe("the client's region, from request.cf", () => {
	it.each([
		[{ continent: "NA", country: "US", longitude: "-122.33" }, "wnam"], // Seattle
		[{ continent: "NA", country: "US", longitude: "-77.03" }, "enam"], // Washington
		[{ continent: "SA", country: "BR" }, "sam"],
		[{ continent: "EU", country: "FR" }, "weur"],
		[{ continent: "EU", country: "PL" }, "eeur"],
		[{ continent: "EU", longitude: "24.9" }, "eeur"], // no country: by longitude
		[{ continent: "AS", country: "JP" }, "apac"],
		[{ continent: "AS", country: "AE" }, "me"],
		[{ continent: "OC", country: "AU" }, "oc"],
		[{ continent: "AF", country: "KE" }, "afr"],
		[{ colo: "SYD" }, "oc"], // no continent: by data centre
		[{ colo: "fra" }, "weur"],
	])("%j → %s", (cf, region) => {
		expect(homeRegion(cf)).toBe(region);
		expect(regionFor(cf, REGIONS)).toBe(region);
	});

	it("nothing known (no cf, Tor's T1, an unknown colo): the first enabled region", () => {
		expect(regionFor(undefined, ["weur", "enam"])).toBe("weur");
		expect(regionFor({ continent: "T1" }, ["apac"])).toBe("apac");
		expect(regionFor({ colo: "XYZ" }, REGIONS)).toBe("wnam");
	});

	it("a region that is not enabled falls back to its nearest enabled one", () => {
		expect(regionFor({ continent: "OC" }, ["wnam", "enam", "weur", "apac"])).toBe("apac");
		expect(regionFor({ continent: "AF" }, ["wnam", "enam", "weur"])).toBe("weur");
		expect(regionFor({ continent: "SA" }, ["weur", "enam"])).toBe("enam");
	});
});
