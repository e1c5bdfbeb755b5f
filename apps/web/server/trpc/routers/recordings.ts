import type { TRPCRouterRecord } from "@trpc/server";
import { RecordingQuery, listRecordings } from "../../terminals/recordings";
import { sessionProcedure } from "../init";

export const recordingsRouter = {
  /**
   * Recorded terminal sessions with who opened them, the container, the host, when and how long:
   * admins see every one, anyone else only the sessions they opened (the rule the .cast endpoint
   * applies: recordings hold what was typed and shown). Never with an API token, like the file itself.
   */
  list: sessionProcedure.input(RecordingQuery).query(({ ctx, input }) => listRecordings(ctx.db, ctx.user, input, (id) => ctx.terminals.recordingPath(id) !== null)),
} satisfies TRPCRouterRecord;
