import fs from "node:fs";
import os from "node:os";
import type { BindMountRule, HostFacts } from "@stevedore/protocol";
import { AGENT_VERSION } from "./version";

const ARCH: Record<string, string> = { x64: "x86_64", arm64: "aarch64", arm: "armv7l", ia32: "i386" };

function prettyOsName(): string {
  try {
    const text = fs.readFileSync("/etc/os-release", "utf8");
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (match?.[1]) return match[1];
  } catch {
    // No os-release (macOS, minimal images): fall through to the kernel's name.
  }
  return `${os.type()} ${os.release()}`;
}

export function readHostFacts(hostname: string, bindMounts: BindMountRule = "any"): HostFacts {
  return {
    hostname,
    os: prettyOsName(),
    kernel: os.release(),
    arch: ARCH[process.arch] ?? process.arch,
    cpus: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    agentVersion: AGENT_VERSION,
    ...(bindMounts !== "any" && { bindMounts }),
  };
}
