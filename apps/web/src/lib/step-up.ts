/** Words in the server's refusal of a terminal that needs a fresh second factor (two-factor/step-up.ts); the dialog asks for a code on seeing them. */
export const STEP_UP_NEEDED = "needs a second-factor check";

export const needsStepUp = (error: { message: string } | null | undefined): boolean => !!error?.message.includes(STEP_UP_NEEDED);
