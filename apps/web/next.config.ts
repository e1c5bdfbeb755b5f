import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@stevedore/protocol"],
  // `npm run typecheck` checks the whole workspace (UI, server and tests) once; not again here.
  typescript: { ignoreBuildErrors: true },
};

export default config;
