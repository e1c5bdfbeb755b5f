import type { Duplex } from "node:stream";
import type Docker from "dockerode";
import WebSocket from "ws";
import {
  ChunkCoalescer,
  OutputStream,
  StreamControlMessage,
  decodeMessage,
  type StreamAgentMessage,
  type TerminalEndReason,
  type TerminalStart,
} from "@stevedore/protocol";
import { engineMessage } from "./engine";
import { newSessionMark, reapExec } from "./exec-reaper";
import { FrameDemuxer, StreamSender } from "./stream-io";
import type { Logger } from "pino";

/**
 * One terminal session on this host: a dedicated WebSocket to the control plane, and the engine's
 * hijacked attach or exec connection. Bytes are relayed both ways with backpressure: when the socket
 * to the control plane backs up, the engine connection is paused, so a flooding process blocks on its
 * own output instead of growing this process's memory.
 */
export class TerminalStream {
  private engineStream: Duplex | null = null;
  private exec: Docker.Exec | null = null;
  private readonly mark = newSessionMark();
  private start: TerminalStart | null = null;
  private tty = false;
  private ended = false;
  private output: ChunkCoalescer | null = null;
  private readonly sender: StreamSender;

  constructor(
    private readonly ws: WebSocket,
    private readonly docker: Docker,
    private readonly log: Logger,
    first: TerminalStart,
  ) {
    this.sender = new StreamSender(ws);
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) {
        this.engineStream?.write(data);
        return;
      }
      const decoded = decodeMessage(StreamControlMessage, data);
      if (!decoded.ok) {
        log.warn({ error: decoded.error }, "bad message on a terminal stream");
        return;
      }
      void this.onControl(decoded.message);
    });
    // The control plane going away ends the session as a "close" would: nobody can rejoin it.
    ws.on("close", () => void this.stop());
    ws.on("error", (err) => log.debug({ err: err.message }, "terminal stream socket error"));
    void this.onControl(first);
  }

  private async onControl(msg: StreamControlMessage): Promise<void> {
    switch (msg.type) {
      case "terminal.start":
        if (this.start) return;
        this.start = msg;
        try {
          await this.begin(msg);
        } catch (err) {
          this.end("error", undefined, engineMessage(err));
        }
        return;
      case "logs.start":
        return;
      case "resize":
        await this.resize(msg.size.cols, msg.size.rows);
        return;
      case "close":
        await this.stop();
        return;
    }
  }

  private async begin(start: TerminalStart): Promise<void> {
    const container = this.docker.getContainer(start.containerId);
    const info = await container.inspect();
    if (start.mode === "attach") {
      if (!info.State.Running) throw new Error(`container ${info.Name.replace(/^\//, "")} is not running`);
      this.tty = info.Config.Tty;
      this.engineStream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true, detachKeys: start.detachKeys })) as unknown as Duplex;
    } else {
      this.exec = await container.exec({
        Cmd: start.cmd ?? ["sh"],
        User: start.user,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        DetachKeys: start.detachKeys,
        Env: ["TERM=xterm-256color", "COLORTERM=truecolor", this.mark.env],
      });
      this.tty = true;
      this.engineStream = (await this.exec.start({ hijack: true, stdin: true, Tty: true })) as unknown as Duplex;
    }
    const engine = this.engineStream;
    this.sender.source = engine;
    const send = (stream: number, payload: Buffer) => this.send(Buffer.concat([Buffer.of(stream), payload]));
    const demux = this.tty ? null : new FrameDemuxer(send);
    this.output = new ChunkCoalescer((data) => (demux ? demux.push(data) : send(OutputStream.stdout, data)));
    engine.on("data", (chunk: Buffer) => this.output!.push(chunk));
    engine.on("end", () => void this.finish());
    engine.on("close", () => void this.finish());
    engine.on("error", (err) => this.log.debug({ err: err.message }, "engine stream error"));
    this.sendJson({ type: "started", tty: this.tty, execId: this.exec?.id });
    await this.resize(start.size.cols, start.size.rows);
  }

  /** The session ends from the control plane's side: an exec'd process ends with it, an attached PID 1 runs on. */
  private async stop(): Promise<void> {
    if (this.exec && !this.ended && this.start) await reapExec(this.docker, this.start.containerId, this.exec, this.mark.value, this.log);
    this.engineStream?.end();
    this.engineStream?.destroy();
  }

  private send(frame: Buffer): void {
    this.sender.send(frame);
  }

  private sendJson(msg: StreamAgentMessage): void {
    this.sender.sendJson(msg);
  }

  private async resize(cols: number, rows: number): Promise<void> {
    try {
      if (this.exec) await this.exec.resize({ h: rows, w: cols });
      else if (this.start && this.tty) await this.docker.getContainer(this.start.containerId).resize({ h: rows, w: cols });
    } catch (err) {
      // A resize racing the process's exit is harmless.
      this.log.debug({ err: engineMessage(err) }, "resize failed");
    }
  }

  /** The engine closed the stream: the process exited, the user detached, or the container stopped. */
  private async finish(): Promise<void> {
    if (this.ended || !this.start) return;
    this.ended = true;
    try {
      if (this.exec) {
        // The stream can close a moment before the engine records the exit.
        let state = await this.exec.inspect();
        for (let i = 0; i < 5 && state.Running; i++) {
          await new Promise((r) => setTimeout(r, 50));
          state = await this.exec.inspect();
        }
        if (state.Running) this.end("detached");
        else this.end("exited", state.ExitCode ?? undefined);
      } else {
        const info = await this.docker.getContainer(this.start.containerId).inspect();
        if (info.State.Running) this.end("detached");
        else this.end("container-stopped", info.State.ExitCode);
      }
    } catch (err) {
      this.end("closed", undefined, engineMessage(err));
    }
  }

  private end(reason: TerminalEndReason, exitCode?: number, message?: string): void {
    this.ended = true;
    this.output?.flush();
    this.sendJson({ type: "ended", reason, exitCode, message });
    this.ws.close(1000, reason);
    this.engineStream?.destroy();
  }
}
