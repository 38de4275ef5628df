/** Slots of the swap device when a scenario does not say (header included). */
export const DEFAULT_SWAP_SLOTS = 8;
