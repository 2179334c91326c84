"""Printed by `make run` before the server starts: where to go and how to sign in as each role."""

import os


def main() -> None:
    from yangguang.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    print(f"\n  Yangguang 阳光 is starting on  http://{host}:{port}/\n")
    print(f"  Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, role, *_rest in DEMO_ACCOUNTS:
        print(f"    {username:<12} {role.label}")
    print("    staff_qingtian  county centre staff (青田县)\n")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yangguang.settings")
    import django

    django.setup()
    main()
