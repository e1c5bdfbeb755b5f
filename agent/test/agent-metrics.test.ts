import { describe, expect, it } from "vitest";
import { engineOperation } from "../src/agent-metrics";

describe("engine operations as metric series", () => {
  it("names the operation, never the container, image, exec or network it was for", () => {
    expect(engineOperation("GET", "/containers/json?all=true")).toBe("GET /containers/json");
    expect(engineOperation("GET", "/v1.41/containers/3f2a9c/json?")).toBe("GET /containers/{id}/json");
    expect(engineOperation("POST", "/containers/web-1/stop?t=10")).toBe("POST /containers/{id}/stop");
    expect(engineOperation("DELETE", "/containers/abc?force=true")).toBe("DELETE /containers/{id}");
    expect(engineOperation("POST", "/containers/create?name=web")).toBe("POST /containers/create");
    expect(engineOperation("POST", "/exec/9c1/start")).toBe("POST /exec/{id}/start");
    expect(engineOperation("GET", "/images/registry:5000/team/app:1.2/json")).toBe("GET /images/{name}/json");
    expect(engineOperation("DELETE", "/images/sha256:abc?force=false")).toBe("DELETE /images/{name}");
    expect(engineOperation("GET", "/images/json")).toBe("GET /images/json");
    expect(engineOperation("POST", "/images/create?fromImage=busybox")).toBe("POST /images/create");
    expect(engineOperation("GET", "/distribution/registry:5000/app:1/json")).toBe("GET /distribution/{name}/json");
    expect(engineOperation("GET", "/events?filters=x")).toBe("GET /events");
  });
});
