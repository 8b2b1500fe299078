// Kept apart from the queue so configuration can name it without loading BullMQ.

/**
 * How long a lease (and a BullMQ job lock) outlives a process that stopped renewing it: the
 * delay a crash adds for the conversations that process held. Renewed every third of it, so
 * an event loop stalled for less than about two thirds of it never loses a lease.
 */
export const DEFAULT_RECOVERY_MS = 2_000;
