"""This weekend's ideas for the couple in couple.toml, using novelty's library API.

Run it from anywhere:  python examples/this_weekend.py [path/to/profile.toml]
"""

import sys
from pathlib import Path

import novelty

profile = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("couple.toml")
couple = novelty.load_profile(profile)
recs = novelty.recommend(couple, when="this weekend", k=5)

names = " & ".join(partner.name for partner in couple.partners)
tz = couple.timezone
print(f"This weekend's ideas for {names} ({couple.home.city}):\n")
for idea in recs:
    start = idea.starts_at.astimezone(tz)
    print(f"{idea.rank}. {idea.activity.title} — {start:%A %H:%M}")
    for reason in idea.reasons:
        print(f"   · {reason}")
    print(f"   Ask each other: {idea.conversation_starters[0]}\n")
for problem in recs.problems:
    print(f"(note: {problem.source}: {problem.message})")
