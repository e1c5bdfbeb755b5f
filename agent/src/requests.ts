import type { AgentMessage, ErrorCode, RequestMessage } from "@stevedore/protocol";
import { type Engine, engineMessage, isNotFound } from "./engine";

/** Answers one control-plane request; engine errors travel back in the engine's own words. */
export async function handleRequest(engine: Engine, req: RequestMessage): Promise<AgentMessage> {
  try {
    const result = await run(engine, req);
    return { type: "response", requestId: req.requestId, ok: true, result };
  } catch (err) {
    const code: ErrorCode = isNotFound(err)
      ? "not_found"
      : (err as NodeJS.ErrnoException).code === "ECONNREFUSED" || (err as NodeJS.ErrnoException).code === "ENOENT"
        ? "engine_down"
        : "engine_error";
    return { type: "response", requestId: req.requestId, ok: false, error: { code, message: engineMessage(err).slice(0, 4096) } };
  }
}

async function run(engine: Engine, req: RequestMessage): Promise<unknown> {
  switch (req.method) {
    case "container.inspect":
      return engine.docker.getContainer(req.params.id).inspect();
    case "container.top": {
      const top = (await engine.docker.getContainer(req.params.id).top(req.params.psArgs ? { ps_args: req.params.psArgs } : {})) as {
        Titles?: string[];
        Processes?: string[][];
      };
      return { titles: top.Titles ?? [], processes: top.Processes ?? [] };
    }
  }
}
