export * from "./version";
export * from "./model";
export * from "./messages";
export * from "./codec";
export * from "./status";
export * from "./run-spec";
export * from "./image-ref";
export * from "./terminal";
