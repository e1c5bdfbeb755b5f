import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@stevedore/protocol"],
  // The server logic is in server/ (run by the custom Node server), not in Next route handlers.
  typescript: { ignoreBuildErrors: false },
};

export default config;
