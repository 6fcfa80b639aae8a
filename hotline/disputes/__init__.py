"""The dispute ledger's pages: the ledger, an entry with every step of its lifecycle, screening, dispatch, the
deadline board, the monthly zero reports and mediation sessions with the parties."""
