"""A match answer as a table for the terminal."""

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

from referrals.matching.explain import MODALITIES, PAYERS
from referrals.matching.schemas import Match, MatchResponse
from referrals.registry.vocab import Payer


def _count(n: float, noun: str) -> str:
    return f"{n:,.15g} {noun}" if n == 1 else f"{n:,.15g} {noun}s"  # 1,000,000; 50; 12.5


def title(answer: MatchResponse) -> str:
    """The table's title, e.g. "12 care teams within 50 miles of …, the first 10 listed"."""
    said = (
        f"{_count(answer.total, 'care team')} within {_count(answer.radius_miles, 'mile')} "
        f"of {answer.origin.label}"
    )
    listed = len(answer.matches)
    if listed < answer.total:
        said += f", the first {'one' if listed == 1 else listed} listed"
    return said


def payment(match: Match) -> str:
    """The self-pay price, then the insurance plans, as the registry has them."""
    self_pay = Payer.self_pay in match.insurance_accepted
    if match.self_pay_price_usd is not None:
        price = f"self-pay ${match.self_pay_price_usd:,}"
    else:
        price = "self-pay, no price listed" if self_pay else "no self-pay"
    plans = [PAYERS[payer] for payer in match.insurance_accepted if payer != Payer.self_pay]
    return price + "\n" + (", ".join(plans) if plans else "no insurance")


def verified(match: Match) -> str:
    """When staff last confirmed the team's details: a stale entry is worth a call first."""
    return f"verified {match.verified_at:%Y-%m-%d}" if match.verified_at else "never verified"


def render(answer: MatchResponse) -> RenderableType:
    """One row a team: rank, distance, people, site, what it offers, why it is there.

    The cells are `Text`, never markup: a name in the registry is printed as written,
    brackets and all.
    """
    if not answer.matches:
        return Text(f"{title(answer)}\nTry a wider --radius or fewer filters.")
    table = Table(
        title=Text(title(answer), style="table.title"),
        caption="score = miles + 0.5 * wait days - 10 * preferences met; lowest first",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("miles", justify="right", no_wrap=True)
    table.add_column("wait", justify="right", no_wrap=True)
    for column in ("psychiatrist / anesthesia", "site"):
        table.add_column(column, overflow="fold")
    table.add_column("offers / pays", overflow="fold")
    table.add_column("why", overflow="fold")
    for match in answer.matches:
        psychiatrist, anesthesia = match.psychiatrist, match.anesthesia_provider
        why = Text("; ".join(match.reasons[2:]))
        if match.unmet_preferences:
            why.append("\n" + "; ".join(match.unmet_preferences), style="yellow")
        table.add_row(
            str(match.rank),
            f"{match.distance_miles:.1f}",
            f"{match.wait_days} d",
            Text(
                f"{psychiatrist.first_name} {psychiatrist.last_name}, {psychiatrist.credential}\n"
                f"{anesthesia.first_name} {anesthesia.last_name}, {anesthesia.credential}"
            ),
            Text(f"{match.site.name}\n{match.site.city}, {match.site.state}\n{verified(match)}"),
            Text(", ".join(MODALITIES[m] for m in match.modalities) + "\n" + payment(match)),
            why,
        )
    return table
