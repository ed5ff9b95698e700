using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Application.Contracts;

/// <summary>The scorecard's machine-readable output (docs/kpi-system.md): JSON and CSV.</summary>
public static class ScorecardOutput
{
    /// <summary>The scorecard as the JSON document of docs/kpi-system.md (also what check --notify posts), its text in <paramref name="language"/>.</summary>
    public static string Json(ScorecardResult s, Language language) => Write(s, language);

    /// <summary>
    /// The scorecard as a snapshot stores it: the document of <see cref="Json"/> with every message (KPI name,
    /// reason, not-tested reason, note) as a language-neutral <see cref="Msg.ToJson"/> object instead of text and
    /// without the <c>_code</c> siblings; <see cref="RenderStored"/> turns it back into <see cref="Json"/>'s document.
    /// </summary>
    public static string Stored(ScorecardResult s) => Write(s, null);

    /// <summary>
    /// A stored snapshot payload as the scorecard document in <paramref name="language"/>: what <see cref="Json"/>
    /// wrote at the time, each stored message rendered for this reader. A payload stored by an earlier version
    /// holds text already rendered in one language; it is returned as it was stored.
    /// </summary>
    public static string RenderStored(string payload, Language language)
    {
        var node = JsonNode.Parse(payload);
        if (node is not JsonObject o || !o.Remove(StoredMarker))
        {
            return payload;
        }

        return JsonOut.Write(w => Render(o, language)?.WriteTo(w));
    }

    // Marks a payload whose messages are stored language-neutral (older payloads hold rendered text).
    private const string StoredMarker = "stored_messages";

    // The property a stored message's code goes to when rendered; null for a name (no code field in the document).
    private static string? CodeOf(string property) => property switch
    {
        "reason" => "reason_code",
        "not_tested" => "not_tested_code",
        "notes" => "note_codes",
        _ => null,
    };

    private static bool IsMessage(JsonNode? node) => node is JsonObject o && o.ContainsKey("code") && o.ContainsKey("en") && o.ContainsKey("ru");

    private static JsonNode? Render(JsonNode? node, Language language)
    {
        switch (node)
        {
            case JsonObject o when IsMessage(o):
                return JsonValue.Create(Msg.FromJson(o).Render(language));
            case JsonObject o:
                var copy = new JsonObject();
                foreach (var (key, value) in o.ToList())
                {
                    copy[key] = Render(value, language);
                    switch (CodeOf(key), value)
                    {
                        case (null, _):
                            break;
                        case ({ } code, JsonArray items):
                            copy[code] = new JsonArray([.. items.Select(i => (JsonNode?)JsonValue.Create(Msg.FromJson(i!).Code))]);
                            break;
                        case ({ } code, null):
                            copy[code] = null;
                            break;
                        case ({ } code, _):
                            copy[code] = Msg.FromJson(value).Code;
                            break;
                    }
                }

                return copy;
            case JsonArray a:
                return new JsonArray([.. a.Select(i => Render(i, language))]);
            default:
                return node?.DeepClone();
        }
    }

    private static void Text(Utf8JsonWriter w, string name, Msg? message, Language? language, bool omitWhenNull = false)
    {
        if (language is { } l)
        {
            JsonOut.Message(w, name, message, l, omitWhenNull);
        }
        else if (message is not null)
        {
            w.WritePropertyName(name);
            message.ToJson().WriteTo(w);
        }
        else if (!omitWhenNull)
        {
            w.WriteNull(name);
        }
    }

    private static string Write(ScorecardResult s, Language? language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("period", s.Period.Label);
        w.WriteString("as_of", s.AsOfUtc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        JsonOut.Number(w, "elapsed", s.Elapsed);
        if (s.Version is { } v)
        {
            w.WriteNumber("config_version", v.Number);
        }
        else
        {
            w.WriteNull("config_version");
        }

        w.WriteStartArray("by");
        s.By.ToList().ForEach(w.WriteStringValue);
        w.WriteEndArray();
        w.WriteStartObject("summary");
        foreach (var status in Enum.GetValues<TargetStatus>())
        {
            w.WriteNumber(TargetRules.Name(status), s.Rows.Count(r => r.Status == status));
        }

        if (s.Worst is { } worst)
        {
            w.WriteString("worst", TargetRules.Name(worst));
        }
        else
        {
            w.WriteNull("worst");
        }

        w.WriteEndObject();
        w.WriteStartArray("kpis");
        foreach (var r in s.Rows)
        {
            w.WriteStartObject();
            w.WriteString("kpi", r.Kpi.Id);
            if (language is { } l)
            {
                w.WriteString("name", r.Kpi.Def.NameIn(l));
            }
            else
            {
                w.WritePropertyName("name");
                r.Kpi.Def.Title.ToJson().WriteTo(w);
            }

            w.WriteString("unit", JsonNamingPolicy.SnakeCaseLower.ConvertName(r.Kpi.Def.Unit.ToString()));
            w.WriteString("direction", r.Kpi.Def.Direction.ToString().ToLowerInvariant());
            JsonOut.Slice(w, r.Result.Slice);
            JsonOut.Number(w, "value", r.Result.Value);
            w.WriteNumber("n", r.Result.N);
            JsonOut.Number(w, "projected", r.Projected);
            JsonOut.Number(w, "target_chance", r.TargetChance);
            JsonOut.Number(w, "target", r.Target?.Value);
            JsonOut.Number(w, "tolerance", r.Target?.TolerancePercent);
            w.WriteString("status", TargetRules.Name(r.Status));
            w.WriteStartArray("flags");
            r.Result.Flags.ToList().ForEach(w.WriteStringValue);
            w.WriteEndArray();
            Text(w, "reason", r.Result.Reason, language);
            Change(w, "vs_previous", r.VsPrevious, language);
            Change(w, "vs_year_before", r.VsYearBefore, language);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("goals");
        foreach (var g in s.Goals)
        {
            w.WriteStartObject();
            w.WriteString("id", g.Goal.Id);
            if (language is { } l)
            {
                w.WriteString("title", g.Goal.Title.In(l));
            }
            else
            {
                w.WritePropertyName("title");
                g.Goal.Title.ToMsg().ToJson().WriteTo(w);
            }
            if (g.Goal.Horizon is { } horizon)
            {
                w.WriteString("horizon", horizon);
            }
            else
            {
                w.WriteNull("horizon");
            }

            JsonOut.Number(w, "attainment", g.Attainment);
            w.WriteNumber("on_track", g.OnTrack);
            w.WriteNumber("with_target", g.WithTarget);
            w.WriteNumber("linked", g.Goal.Kpis.Length);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (language is { } lang)
        {
            JsonOut.Notes(w, s.Notes, lang);
        }
        else
        {
            w.WriteStartArray("notes");
            s.Notes.ToList().ForEach(n => n.ToJson().WriteTo(w));
            w.WriteEndArray();
            w.WriteBoolean(StoredMarker, true);
        }

        w.WriteEndObject();
    });

    /// <summary>The scorecard as CSV, one row per KPI and slice.</summary>
    public static string Csv(ScorecardResult s)
    {
        var csv = new CsvOut("period", "kpi", "slice", "value", "n", "projected", "target", "tolerance", "status", "previous", "delta_previous", "p_previous", "year_before", "delta_year_before", "p_year_before");
        foreach (var r in s.Rows)
        {
            csv.Row(
                CsvCell.Text(s.Period.Label), CsvCell.Text(r.Kpi.Id), CsvCell.Text(SystemValues.SliceKey(r.Result.Slice)), CsvCell.Number(r.Result.Value), CsvCell.Integer(r.Result.N),
                CsvCell.Number(r.Projected), CsvCell.Number(r.Target?.Value), CsvCell.Number(r.Target?.TolerancePercent), CsvCell.Text(TargetRules.Name(r.Status)),
                CsvCell.Number(r.VsPrevious.Before), CsvCell.Number(r.VsPrevious.Delta), CsvCell.Number(r.VsPrevious.PValue),
                CsvCell.Number(r.VsYearBefore.Before), CsvCell.Number(r.VsYearBefore.Delta), CsvCell.Number(r.VsYearBefore.PValue));
        }

        return csv.ToString();
    }

    private static void Change(Utf8JsonWriter w, string name, Change c, Language? language)
    {
        w.WriteStartObject(name);
        w.WriteString("period", c.Period.Label);
        JsonOut.Number(w, "value", c.Before);
        JsonOut.Number(w, "delta", c.Delta);
        if (c.PValue is { } p)
        {
            w.WriteNumber("p_value", Math.Round(p, 6));
            w.WriteBoolean("significant", c.Significant == true);
        }
        else
        {
            w.WriteNull("p_value");
            w.WriteNull("significant");
            Text(w, "not_tested", c.NotTestedReason, language, omitWhenNull: true);
        }

        w.WriteEndObject();
    }
}
