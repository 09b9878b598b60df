import difflib
import json

from django.core.management.base import BaseCommand, CommandError

from briefings import annotations
from briefings.models import Article

TEXT_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Print the annotations briefings.suggest proposes for an article (actors, quotes, dates), "
        "each with its reason and confidence. Nothing is stored: the workspace's Suggest button "
        "stores them for review."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The article's slug.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="One JSON object per line: kind, start, end, text, target, value, reason, "
            "confidence.",
        )

    def handle(self, *args, **opts):
        slug = opts["slug"]
        try:
            article = Article.objects.get(slug=slug)
        except Article.DoesNotExist:
            raise CommandError(self._unknown(slug)) from None
        proposals = annotations.propose(article)
        if opts["json"]:
            for proposal in proposals:
                self.stdout.write(json.dumps(proposal.as_dict(), ensure_ascii=False))
            return
        self._table(article, proposals)

    @staticmethod
    def _unknown(slug: str) -> str:
        slugs = list(Article.objects.values_list("slug", flat=True))
        close = [s for s in slugs if s.startswith(slug)][:3] or difflib.get_close_matches(
            slug, slugs, n=3, cutoff=0.4
        )
        hint = f" Did you mean {', '.join(close)}?" if close else ""
        return f"No article with slug {slug!r}.{hint}"

    def _table(self, article: Article, proposals) -> None:
        rows = [("kind", "start", "end", "text", "proposed", "conf.", "reason")]
        for p in proposals:
            if p.kind == "date":
                proposed = f"{p.value['date']} ({p.value['precision']})"
            elif p.kind == "quote":
                proposed = f"speaker: {p.target or '?'}"
                if p.value.get("scare_quote"):
                    proposed = "scare quote"
            else:
                proposed = p.target or ""
            text = " ".join(p.text.split())
            if len(text) > TEXT_WIDTH:
                text = text[: TEXT_WIDTH - 1] + "…"
            rows.append(
                (p.kind, str(p.start), str(p.end), text, proposed, f"{p.confidence:.2f}", p.reason)
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]).rstrip())
        counts = {
            kind: sum(1 for p in proposals if p.kind == kind) for kind in ("actor", "quote", "date")
        }
        self.stdout.write(
            f"\n{len(proposals)} suggestion(s) for “{article.title}” "
            f"({', '.join(f'{n} {kind}' for kind, n in counts.items())}), "
            f"dateline {article.dateline.isoformat()}."
        )
