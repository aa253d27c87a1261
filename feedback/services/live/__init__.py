"""Live town-hall sessions: questions from the room, moderated, on the big screen (sessions, questions, votes, feed)."""
