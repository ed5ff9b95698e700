using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using SalesKpi.Application.Contracts;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Services;

/// <summary>Which digest to build.</summary>
/// <param name="Period">A month, quarter or year, or null for the quarter of now (the scorecard's default).</param>
public sealed record DigestRequest(string? Period);

/// <summary>
/// A digest ready to send, in one language: the subject, an HTML body and a plain-text body with the same content
/// (for a multipart/alternative e-mail), and a chat payload (JSON with <c>text</c> and Slack <c>blocks</c>).
/// </summary>
/// <param name="Period">The period it reports.</param>
/// <param name="Subject">The e-mail subject (also the chat message's first line).</param>
/// <param name="Html">A self-contained HTML document (inline styles only).</param>
/// <param name="Text">The plain-text body.</param>
/// <param name="ChatJson">The webhook body: <c>{"text": …, "blocks": […]}</c>.</param>
/// <param name="Link">The dashboard view of the period in the digest's language; null when no public URL is configured.</param>
/// <param name="Counts">KPIs off track, at risk and on track.</param>
public sealed record Digest(Period Period, string Subject, string Html, string Text, string ChatJson, Uri? Link, (int OffTrack, int AtRisk, int OnTrack) Counts);

/// <summary>
/// Builds the digest of a period for the acting user's scope (<see cref="RequestContext.Scope"/>: a rep gets their
/// own numbers): the scorecard's KPIs with their verdict — off track first, then at risk, then on track, then those
/// without one — the significant changes against the previous period (diagnose) and a link to the dashboard view.
/// Every text is in <see cref="RequestContext.Language"/>, numbers in that language's culture.
/// </summary>
public sealed class DigestService
{
    /// <summary>How many significant changes a digest lists at most (the strongest first, as diagnose orders them).</summary>
    public const int MaxChanges = 8;

    /// <summary>Builds the digest; <paramref name="publicUrl"/> is the dashboard's base address (null: no link).</summary>
    public Digest Build(DigestRequest request, Uri? publicUrl, RequestContext ctx)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(ctx);
        var answer = new ScorecardService().Run(new ScorecardQuery(request.Period, null, null), ctx);
        var s = answer.Scorecard;
        var diagnosis = new AnalysisService().Diagnose(new AnalysisWindow(s.Period.Label, null), yearBefore: false, alpha: 0.05, drillSuffix: string.Empty, ctx);
        var changes = diagnosis.Report.Findings.Take(MaxChanges).Select(f => f.Text.Render(ctx.Language)).ToList();
        var lang = ctx.Language;
        var rows = s.Rows.Where(r => r.Result.IsTotal).OrderBy(r => Rank(r.Status)).ToList();
        var lines = rows.Select(r => new Line(r.Status, r.Kpi.Def.NameIn(lang), KpiDisplay.Value(r.Kpi.Def, r.Result.Value, answer.Currency, lang), r.Projected is null ? null : KpiDisplay.Value(r.Kpi.Def, r.Projected, answer.Currency, lang), r.Target is null ? null : KpiDisplay.Value(r.Kpi.Def, r.Target.Value, answer.Currency, lang))).ToList();
        var counts = (rows.Count(r => r.Status == TargetStatus.OffTrack), rows.Count(r => r.Status == TargetStatus.AtRisk), rows.Count(r => r.Status == TargetStatus.OnTrack));
        var link = publicUrl is null ? null : Link(publicUrl, s.Period, lang);
        var scope = ctx.Scope is null ? null : Msg.Of("digest.scope", "Your numbers: owner {0}.", "Ваши показатели: ответственный {0}.", ctx.Scope.Owner).Render(lang);
        var subject = Msg.Of(
            "digest.subject",
            "SalesKpi {0}: {1} off track, {2} at risk, {3} on track",
            "SalesKpi {0}: отстают {1}, под угрозой {2}, по плану {3}",
            s.Period.Label,
            counts.Item1,
            counts.Item2,
            counts.Item3).Render(lang);
        var asOf = TimeZoneInfo.ConvertTimeFromUtc(s.AsOfUtc, answer.Zone).ToString("g", Languages.DisplayCulture(lang));
        var intro = Msg.Of("digest.as_of", "Scorecard of {0} as of {1}.", "Показатели за {0} на {1}.", s.Period.Label, asOf).Render(lang);
        var content = new Content(subject, intro, scope, lines, changes, link, lang);
        return new Digest(s.Period, subject, Html(content), Text(content), Chat(content), link, counts);
    }

    /// <summary>The dashboard's scorecard view of <paramref name="period"/> in <paramref name="language"/> under <paramref name="publicUrl"/>.</summary>
    public static Uri Link(Uri publicUrl, Period period, Language language)
    {
        ArgumentNullException.ThrowIfNull(publicUrl);
        ArgumentNullException.ThrowIfNull(period);
        var root = publicUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(root + "/?period=" + Uri.EscapeDataString(period.Label) + "&lang=" + (language == Language.Ru ? "ru" : "en"));
    }

    private static int Rank(TargetStatus status) => status switch
    {
        TargetStatus.OffTrack => 0,
        TargetStatus.AtRisk => 1,
        TargetStatus.OnTrack => 2,
        _ => 3,
    };

    private static string Heading(TargetStatus status, Language lang) => status switch
    {
        TargetStatus.OffTrack => lang == Language.Ru ? "Отстают от цели" : "Off track",
        TargetStatus.AtRisk => lang == Language.Ru ? "Под угрозой" : "At risk",
        TargetStatus.OnTrack => lang == Language.Ru ? "По плану" : "On track",
        _ => lang == Language.Ru ? "Без оценки (нет цели или рано судить)" : "Not judged (no target, or too early)",
    };

    private static string Describe(Line line, Language lang)
    {
        var text = new StringBuilder(line.Name).Append(": ").Append(line.Value);
        if (line.Projected is not null)
        {
            text.Append(lang == Language.Ru ? " (прогноз на конец периода " : " (projected ").Append(line.Projected).Append(')');
        }

        if (line.Target is not null)
        {
            text.Append(lang == Language.Ru ? ", цель " : ", target ").Append(line.Target);
        }

        return text.ToString();
    }

    private static IEnumerable<IGrouping<int, Line>> Sections(Content c) => c.Lines.GroupBy(l => Rank(l.Status)).OrderBy(g => g.Key);

    private static string ChangesHeading(Language lang) => lang == Language.Ru ? "Значимые изменения к прошлому периоду" : "Significant changes against the previous period";

    private static string NoChanges(Language lang) => lang == Language.Ru ? "Значимых изменений нет." : "No significant changes.";

    private static string LinkText(Language lang) => lang == Language.Ru ? "Открыть в панели" : "Open in the dashboard";

    private static string Text(Content c)
    {
        var t = new StringBuilder();
        t.Append(c.Subject).Append('\n').Append('\n').Append(c.Intro).Append('\n');
        if (c.Scope is not null)
        {
            t.Append(c.Scope).Append('\n');
        }

        foreach (var section in Sections(c))
        {
            t.Append('\n').Append(Heading(section.First().Status, c.Language)).Append('\n');
            foreach (var line in section)
            {
                t.Append("  - ").Append(Describe(line, c.Language)).Append('\n');
            }
        }

        t.Append('\n').Append(ChangesHeading(c.Language)).Append('\n');
        if (c.Changes.Count == 0)
        {
            t.Append("  ").Append(NoChanges(c.Language)).Append('\n');
        }

        foreach (var change in c.Changes)
        {
            t.Append("  - ").Append(change).Append('\n');
        }

        if (c.Link is not null)
        {
            t.Append('\n').Append(LinkText(c.Language)).Append(": ").Append(c.Link.AbsoluteUri).Append('\n');
        }

        return t.ToString();
    }

    private static string Html(Content c)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"").Append(c.Language == Language.Ru ? "ru" : "en").Append("\"><head><meta charset=\"utf-8\"><title>")
            .Append(E(c.Subject)).Append("</title></head><body style=\"font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933\">");
        h.Append("<h1 style=\"font-size:18px\">").Append(E(c.Subject)).Append("</h1><p>").Append(E(c.Intro)).Append("</p>");
        if (c.Scope is not null)
        {
            h.Append("<p>").Append(E(c.Scope)).Append("</p>");
        }

        foreach (var section in Sections(c))
        {
            var status = section.First().Status;
            var colour = status switch { TargetStatus.OffTrack => "#b42318", TargetStatus.AtRisk => "#b54708", TargetStatus.OnTrack => "#027a48", _ => "#52606d" };
            h.Append("<h2 style=\"font-size:15px;color:").Append(colour).Append("\">").Append(E(Heading(status, c.Language))).Append("</h2><table style=\"border-collapse:collapse\">");
            foreach (var line in section)
            {
                h.Append("<tr><td style=\"padding:2px 12px 2px 0\">").Append(E(line.Name)).Append("</td><td style=\"padding:2px 12px 2px 0;text-align:right\"><b>")
                    .Append(E(line.Value)).Append("</b></td><td style=\"padding:2px 0;color:#52606d\">");
                if (line.Projected is not null)
                {
                    h.Append(E((c.Language == Language.Ru ? "прогноз " : "projected ") + line.Projected)).Append("; ");
                }

                h.Append(line.Target is null ? string.Empty : E((c.Language == Language.Ru ? "цель " : "target ") + line.Target)).Append("</td></tr>");
            }

            h.Append("</table>");
        }

        h.Append("<h2 style=\"font-size:15px\">").Append(E(ChangesHeading(c.Language))).Append("</h2>");
        if (c.Changes.Count == 0)
        {
            h.Append("<p>").Append(E(NoChanges(c.Language))).Append("</p>");
        }
        else
        {
            h.Append("<ul>");
            foreach (var change in c.Changes)
            {
                h.Append("<li>").Append(E(change)).Append("</li>");
            }

            h.Append("</ul>");
        }

        if (c.Link is not null)
        {
            h.Append("<p><a href=\"").Append(E(c.Link.AbsoluteUri)).Append("\">").Append(E(LinkText(c.Language))).Append("</a></p>");
        }

        return h.Append("</body></html>").ToString();
    }

    // Slack and Mattermost show "text" (Slack as the notification when blocks are present); Telegram-bot relays
    // forward "text" to sendMessage. Plain text with bullets reads the same in all three: no markup dialect is used.
    private static string Chat(Content c)
    {
        var lines = new StringBuilder().Append(c.Subject).Append('\n');
        if (c.Scope is not null)
        {
            lines.Append(c.Scope).Append('\n');
        }

        foreach (var section in Sections(c).Where(g => g.Key < 2))
        {
            lines.Append('\n').Append(Heading(section.First().Status, c.Language)).Append(":\n");
            foreach (var line in section)
            {
                lines.Append("• ").Append(Describe(line, c.Language)).Append('\n');
            }
        }

        var onTrack = c.Lines.Count(l => l.Status == TargetStatus.OnTrack);
        lines.Append('\n').Append(Heading(TargetStatus.OnTrack, c.Language)).Append(": ").Append(onTrack.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (c.Changes.Count > 0)
        {
            lines.Append('\n').Append(ChangesHeading(c.Language)).Append(":\n");
            foreach (var change in c.Changes)
            {
                lines.Append("• ").Append(change).Append('\n');
            }
        }

        if (c.Link is not null)
        {
            lines.Append('\n').Append(LinkText(c.Language)).Append(": ").Append(c.Link.AbsoluteUri);
        }

        var text = lines.ToString().TrimEnd();
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("text", text);
            w.WriteStartArray("blocks");
            w.WriteStartObject();
            w.WriteString("type", "section");
            w.WriteStartObject("text");
            w.WriteString("type", "plain_text");

            // Slack refuses a section text over 3000 characters; the full text is still in "text".
            w.WriteString("text", text.Length > 3000 ? text[..2999] + "…" : text);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private sealed record Line(TargetStatus Status, string Name, string Value, string? Projected, string? Target);

    private sealed record Content(string Subject, string Intro, string? Scope, IReadOnlyList<Line> Lines, IReadOnlyList<string> Changes, Uri? Link, Language Language);
}
