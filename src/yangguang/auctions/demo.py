def load() -> str:
    return "nothing yet"
