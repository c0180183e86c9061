"""Who may do what (RBAC) and who is kept out (shield: bans and rates)."""
