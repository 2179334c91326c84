def load() -> str:
    return "bidding: nothing yet"
