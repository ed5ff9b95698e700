using System.Globalization;
using System.Text.Json;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Web;

/// <summary>
/// The JSON of the endpoints whose CLI commands print tables only (explain, status, the catalogue, targets, versions),
/// written with the CLI's <see cref="JsonOut"/> conventions: snake_case names, invariant dates, messages rendered in
/// the request's language beside their codes.
/// </summary>
internal static class ApiJson
{
    public static string Explain(ExplainAnswer a, Language language) => JsonOut.Write(w =>
    {
        var result = a.Explanation.Result;
        w.WriteStartObject();
        w.WriteString("kpi", a.Kpi.Id);
        w.WriteString("name", a.Kpi.NameIn(language));
        w.WriteString("period", a.Period.Label);
        w.WriteString("start", Day(a.Period.Start));
        w.WriteString("end", Day(a.Period.LastDay));
        w.WriteString("as_of", Instant(a.AsOf.UtcDateTime));
        w.WriteString("time_zone", a.TimeZone);
        w.WriteString("currency", a.Currency);
        JsonOut.Slice(w, a.Slice);
        JsonOut.Message(w, "definition", a.Explanation.Definition, language);
        if (result is not null)
        {
            JsonOut.Result(w, result, language, emptyCollections: true);
        }
        else
        {
            // No record falls into the slice: the value is absent, not zero.
            w.WriteNull("value");
            w.WriteNumber("n", 0);
        }

        w.WriteStartArray("sources");
        foreach (var source in a.Explanation.Sources)
        {
            w.WriteStartObject();
            JsonOut.Message(w, "title", source.Title, language);
            w.WriteNumber("offset", a.Offset);
            w.WriteBoolean("more", source.Rows.Count > a.Limit);
            w.WriteStartArray("columns");
            foreach (var c in source.Columns)
            {
                w.WriteStringValue(c);
            }

            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (var row in source.Rows.Take(a.Limit))
            {
                w.WriteStartObject();
                foreach (var c in source.Columns)
                {
                    w.WritePropertyName(c);
                    Value(w, row.TryGetValue(c, out var v) ? v : null);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        JsonOut.Notes(w, a.Explanation.Report.Notes, language);
        w.WriteEndObject();
    });

    public static string Status(StatusAnswer s) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("time_zone", s.Settings.TimeZone);
        w.WriteString("currency", s.Settings.Currency);
        w.WriteNumber("schema", s.SchemaVersion);
        w.WriteStartArray("entities");
        foreach (var e in s.Entities)
        {
            w.WriteStartObject();
            w.WriteString("entity", e.Entity.Name);
            w.WriteNumber("rows", e.Rows);
            Instant(w, "first", e.First);
            Instant(w, "last", e.Last);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("imports");
        foreach (var i in s.Imports)
        {
            w.WriteStartObject();
            w.WriteNumber("id", i.Id);
            w.WriteString("finished_at", Instant(i.FinishedAtUtc));
            w.WriteNumber("read", i.Read);
            w.WriteNumber("stored", i.Stored);
            w.WriteNumber("rejected", i.Rejected);
            w.WriteStartArray("files");
            foreach (var f in i.Files)
            {
                // The file's name only: the server's folders are not the caller's business.
                w.WriteStringValue(Path.GetFileName(f));
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Catalogue(Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("kpis");
        foreach (var k in KpiCatalog.All)
        {
            w.WriteStartObject();
            w.WriteNumber("number", k.Number);
            w.WriteString("kpi", k.Id);
            w.WriteString("name", k.NameIn(language));
            w.WriteString("unit", Snake(k.Unit.ToString()));
            w.WriteString("direction", Snake(k.Direction.ToString()));
            w.WriteString("formula", Snake(k.Formula.ToString()));
            Strings(w, "dimensions", k.Dimensions);
            Strings(w, "parameters", k.Parameters);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Targets(TargetListing l) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        TargetList(w, l);
        w.WriteEndObject();
    });

    /// <summary>The <c>currency</c> and <c>targets</c> members of a target listing, each target with its realism check when it has one.</summary>
    internal static void TargetList(Utf8JsonWriter w, TargetListing l)
    {
        w.WriteString("currency", l.Currency);
        w.WriteStartArray("targets");
        foreach (var t in l.Targets)
        {
            w.WriteStartObject();
            w.WriteString("kpi", t.Kpi);
            w.WriteString("period", t.Period);
            JsonOut.Slice(w, t.Slice);
            JsonOut.Number(w, "value", t.Value);
            JsonOut.Number(w, "tolerance_percent", t.TolerancePercent);
            if (l.Checks.TryGetValue(t.Key, out var check))
            {
                JsonOut.Number(w, "probability", check.Probability, 4);
                w.WriteBoolean("beyond_best", check.BeyondBest);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    public static string Versions(IReadOnlyList<ConfigVersion> versions) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("versions");
        foreach (var v in versions)
        {
            w.WriteStartObject();
            w.WriteNumber("version", v.Number);
            w.WriteString("applied_at", Instant(v.AppliedAtUtc));
            w.WriteString("effective_from", Day(v.EffectiveFrom));
            w.WriteString("author", v.Author);
            w.WriteString("reason", v.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void Value(Utf8JsonWriter w, object? value)
    {
        switch (value)
        {
            case null: w.WriteNullValue(); break;
            case DateTime t: w.WriteStringValue(Instant(t)); break;
            case DateOnly d: w.WriteStringValue(Day(d)); break;
            case bool b: w.WriteBooleanValue(b); break;
            case decimal m: w.WriteNumberValue(JsonOut.Round(m)); break;
            case double d: w.WriteNumberValue(d); break;
            case float f: w.WriteNumberValue(f); break;
            case long l: w.WriteNumberValue(l); break;
            case int i: w.WriteNumberValue(i); break;
            case IFormattable f: w.WriteStringValue(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: w.WriteStringValue(value.ToString()); break;
        }
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void Instant(Utf8JsonWriter w, string name, DateTime? t)
    {
        if (t is { } v)
        {
            w.WriteString(name, Instant(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Instant(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
