import { z } from "zod";
import type { Auth } from "../auth";

/** Any password a person sets or is given: 12–128 characters (better-auth's minimum is 12 too). */
export const NewPassword = z
  .string()
  .min(12, "a password needs at least 12 characters")
  .max(128, "a password may have at most 128 characters");

/** Sets a password through better-auth's own hashing, server-side (its admin endpoint wants an admin's request headers). */
export async function setPassword(auth: Auth, userId: string, password: string): Promise<void> {
  const authContext = await auth.$context;
  const hash = await authContext.password.hash(password);
  if (await authContext.internalAdapter.findCredentialAccount(userId)) {
    await authContext.internalAdapter.updatePassword(userId, hash);
  } else {
    await authContext.internalAdapter.createAccount({ userId, providerId: "credential", accountId: userId, password: hash });
  }
}

/** Whether `password` is the user's current one (false when they have no password at all). */
export async function isCurrentPassword(auth: Auth, userId: string, password: string): Promise<boolean> {
  const authContext = await auth.$context;
  const account = await authContext.internalAdapter.findCredentialAccount(userId);
  if (!account?.password) return false;
  return authContext.password.verify({ hash: account.password, password });
}
