import type { FleetConfig } from "./config";
import type { Fleet } from "./fleet";
import { parseRendererName } from "./placement";
import type { Renderer } from "../renderer";

/**
 * A renderer's stub, created with its region's location hint: the object (and so the browser it
 * opens, which Browser Rendering places near its caller) lives in that region. The hint counts
 * only when the object is first created, which is what its name guarantees.
 */
export function rendererStub(env: Pick<Env, "RENDERER">, name: string): DurableObjectStub<Renderer> {
	const { region } = parseRendererName(name);
	return env.RENDERER.get(env.RENDERER.idFromName(name), { locationHint: region });
}

/** The fleet's registry object: one per fleet, in eastern North America (it is off the hot path). */
export function fleetStub(env: Pick<Env, "FLEET">, config: FleetConfig): DurableObjectStub<Fleet> {
	return env.FLEET.get(env.FLEET.idFromName(config.name), { locationHint: "enam" });
}
