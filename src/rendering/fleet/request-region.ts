import { fleetConfig } from "./config";
import { type ClientLocation, isRegion, nearestEnabled, type Region, regionFor } from "./regions";

/**
 * Development only: the client region a request pretends to come from (`apac`, `oc`…), since
 * locally every request has wrangler's one placeholder `cf`. Honoured only when `ALLOW_LOOPBACK`
 * is "true" (`npm start`, the tests), never in production.
 */
export const CLIENT_REGION_HEADER = "X-Quire-Client-Region";

/** The region a sync request renders in: the enabled region nearest its client (docs/fleet.md#regions). */
export function requestRegion(request: Request, env: Env): Region {
	const { regions } = fleetConfig(env);
	const override = request.headers.get(CLIENT_REGION_HEADER);
	if (env.ALLOW_LOOPBACK === "true" && isRegion(override)) return nearestEnabled(override, regions);
	return regionFor(request.cf as ClientLocation | undefined, regions);
}
