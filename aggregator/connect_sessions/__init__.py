"""Connect sessions: OAuth logins at vendors, from the consent link to the connected account."""
