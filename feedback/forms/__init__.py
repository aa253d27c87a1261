"""Flask-WTF forms, one module per area: public, staff, desk, escrow."""
