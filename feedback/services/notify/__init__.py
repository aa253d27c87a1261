"""Mail notifications: what staff chose to be told, the outgoing mail queue, and the sender that drains it."""
