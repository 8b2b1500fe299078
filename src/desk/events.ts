// What the desk tells the rest of the product (metrics, the embedding application).
export interface DeskEvents {
  ticketOpened?(e: { ticket: number; skill: string; locale: string; channel: string }): void;
  ticketAssigned?(e: { ticket: number; agentId: string; waitedMs: number }): void;
  ticketClosed?(e: {
    ticket: number;
    by: "agent" | "auto" | "customer";
    resolutionMs: number;
  }): void;
  ticketRated?(e: { ticket: number; score: number }): void;
  /** Something the desk could not deliver after its bounded retries; a person was told. */
  deskFailure?(e: { ticket: number; step: string; reason: string }): void;
}
