"""Names for the demo's people, and drawing names that are not taken yet."""

from __future__ import annotations

import random


def _words(text_block: str) -> list[str]:
    return text_block.split()


FIRST_NAMES = _words(
    """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth
William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa
Daniel Nancy Matthew Betty Anthony Sandra Mark Ashley Steven Emily Paul Donna Andrew
Michelle Joshua Carol Kenneth Amanda Kevin Melissa Brian Deborah George Stephanie
Timothy Rebecca Ronald Laura Jason Sharon Edward Cynthia Jeffrey Kathleen Ryan Amy Jacob
Angela Gary Shirley Nicholas Anna Eric Brenda Jonathan Pamela Stephen Emma Larry Nicole
Justin Helen Scott Samantha Brandon Katherine Benjamin Christine Samuel Debra Gregory
Rachel Alexander Carolyn Patrick Janet Frank Maria Raymond Olivia Jack Heather Dennis
Catherine Jerry Diane Tyler Julie Aaron Joyce Wei Mei Hiroshi Yuki Raj Ananya Mohammed
Fatima Carlos Sofia Luis Camila Piotr Agnieszka Lars Ingrid Olu Amara Sean Aoife"""
)
LAST_NAMES = _words(
    """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez
Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King
Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell
Mitchell
Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes
Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson
Bailey Reed
Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray
Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez
Chen Wang Li Zhang Tanaka Sato Suzuki Kowalski Nowak Wisniewski Okafor Adeyemi Mensah
Schmidt Muller Schneider Fischer Weber Dubois Moreau Rossi Russo Ferrari Silva Santos
Oliveira Larsen Johansson Andersson Murray OBrien Byrne Singh Kumar Sharma Das"""
)


def unique(taken: set[str], wanted: str) -> str:
    """``wanted`` (letters, digits, dots), numbered 2, 3, ... if taken; now taken."""
    wanted = "".join(ch for ch in wanted if ch.isalnum() or ch == ".")
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}{number}"
    taken.add(candidate)
    return candidate


def distinct_name(
    rng: random.Random,
    taken: set[str],
    firsts: list[str],
    seconds: list[str],
    numbers: tuple[int, int],
) -> str:
    """A "first second" name, or "first second number" if taken; now taken."""
    name = f"{rng.choice(firsts)} {rng.choice(seconds)}"
    while name in taken:
        second = rng.choice(seconds)
        name = f"{rng.choice(firsts)} {second} {rng.randint(*numbers)}"
    taken.add(name)
    return name
