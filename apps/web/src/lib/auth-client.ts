"use client";

import { createAuthClient } from "better-auth/react";
import { twoFactorClient } from "better-auth/client/plugins";

// twoFactorClient: the login page handles the second step itself (no redirect option).
export const authClient = createAuthClient({ plugins: [twoFactorClient()] });
