"""Plans: what would change, as data (desired, state, live -> Plan)."""
