"""National Provider Identifier check digits (CMS: Luhn over the prefix 80840 + 9 digits)."""

_PREFIX = "80840"


def check_digit(first_nine: str) -> int:
    """The tenth digit that makes `first_nine` a valid NPI."""
    total = 0
    for position, char in enumerate(reversed(_PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid(npi: str) -> bool:
    """True for ten ASCII digits whose last is the Luhn check digit of the rest."""
    digits = npi.isascii() and npi.isdigit()  # isdigit() takes full-width digits too
    return len(npi) == 10 and digits and check_digit(npi[:9]) == int(npi[9])
