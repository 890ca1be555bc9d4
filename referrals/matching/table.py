"""A match answer as a table for the terminal."""

from rich.table import Table

from referrals.matching.explain import MODALITIES
from referrals.matching.schemas import MatchResponse


def render(answer: MatchResponse) -> Table:
    """One row a team: rank, distance, people, site, what it offers, why it is there."""
    table = Table(
        title=f"{answer.total} care teams within {answer.radius_miles:g} miles of "
        f"{answer.origin.label}",
        caption="score = miles + 0.5 * wait days - 10 * preferences met; lowest first",
    )
    for column in ("#", "miles", "wait", "psychiatrist / anesthesia", "site", "offers", "why"):
        table.add_column(column, overflow="fold")
    for match in answer.matches:
        psychiatrist, anesthesia = match.psychiatrist, match.anesthesia_provider
        price = f"${match.self_pay_price_usd}" if match.self_pay_price_usd else "insurance"
        why = "; ".join(match.reasons[2:])
        if match.unmet_preferences:
            why += "\n[yellow]" + "; ".join(match.unmet_preferences) + "[/yellow]"
        table.add_row(
            str(match.rank),
            f"{match.distance_miles:.1f}",
            f"{match.wait_days} d",
            f"{psychiatrist.first_name} {psychiatrist.last_name}, {psychiatrist.credential}\n"
            f"{anesthesia.first_name} {anesthesia.last_name}, {anesthesia.credential}",
            f"{match.site.name}\n{match.site.city}, {match.site.state}",
            ", ".join(MODALITIES[m] for m in match.modalities) + f"\n{price}",
            why,
        )
    return table
