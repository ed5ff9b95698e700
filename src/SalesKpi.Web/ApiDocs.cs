using System.Globalization;
using System.Text.Json;
using SalesKpi.Application.Contracts;
using SalesKpi.Application.Services;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Import;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;

namespace SalesKpi.Web;

/// <summary>
/// The JSON of the endpoints added with the write API (analyses whose CLI commands print tables, the KPI-system
/// documents, changes, imports and the audit log), in the style of <see cref="ApiJson"/>: snake_case names, invariant
/// dates, messages rendered in the request's language beside their codes. docs/server.md describes each document.
/// </summary>
internal static class ApiDocs
{
    public static string Velocity(AnalysisAnswer<(VelocityChange? Change, Msg? Reason)> a, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("period", a.Period.Label);
        w.WriteString("baseline", a.Baseline?.Label);
        w.WriteString("currency", a.Currency);
        var (change, reason) = a.Report;
        JsonOut.Number(w, "before", change?.Before);
        JsonOut.Number(w, "after", change?.After);
        w.WriteStartArray("factors");
        foreach (var p in change?.Parts ?? [])
        {
            w.WriteStartObject();
            w.WriteString("factor", p.Factor);
            JsonOut.Number(w, "before", p.Before);
            JsonOut.Number(w, "after", p.After);
            JsonOut.Number(w, "share", p.Share);
            JsonOut.Number(w, "contribution", p.Contribution);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        JsonOut.Message(w, "reason", reason, language);
        w.WriteEndObject();
    });

    public static string Simulation(AnalysisAnswer<SimulationReport> a, IReadOnlyList<string> changes, int runs, int seed) => JsonOut.Write(w =>
    {
        var r = a.Report;
        w.WriteStartObject();
        w.WriteString("base", r.Base.Label);
        w.WriteString("next", r.Next.Label);
        w.WriteString("currency", a.Currency);
        w.WriteNumber("runs", runs);
        w.WriteNumber("seed", seed);
        Strings(w, "changes", changes);
        Range(w, "baseline_won", r.BaselineWon);
        Range(w, "scenario_won", r.ScenarioWon);
        Range(w, "baseline_revenue", r.BaselineRevenue);
        Range(w, "scenario_revenue", r.ScenarioRevenue);
        Range(w, "revenue_gain", r.RevenueGain);
        w.WriteStartArray("ranking");
        foreach (var (lever, gain) in r.Ranking)
        {
            w.WriteStartObject();
            w.WriteString("lever", lever);
            JsonOut.Number(w, "extra_revenue", gain);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Calibration(AnalysisAnswer<CalibrationReport> a) => JsonOut.Write(w =>
    {
        var r = a.Report;
        w.WriteStartObject();
        w.WriteString("period", a.Period.Label);
        w.WriteNumber("leads", r.Leads);
        JsonOut.Number(w, "top_to_bottom", r.TopToBottom);
        w.WriteStartArray("deciles");
        foreach (var d in r.Deciles)
        {
            w.WriteStartObject();
            w.WriteNumber("decile", d.Decile);
            w.WriteNumber("leads", d.Leads);
            JsonOut.Number(w, "min_score", d.MinScore);
            JsonOut.Number(w, "max_score", d.MaxScore);
            JsonOut.Number(w, "sql_rate", d.SqlRate);
            JsonOut.Number(w, "win_rate", d.WinRate);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("rules");
        foreach (var x in r.Rules)
        {
            w.WriteStartObject();
            w.WriteString("rule", x.Rule);
            w.WriteNumber("points", x.Points);
            w.WriteNumber("matching", x.Matching);
            JsonOut.Number(w, "sql_rate_matching", x.SqlRateMatching);
            JsonOut.Number(w, "sql_rate_others", x.SqlRateOthers);
            JsonOut.Number(w, "sql_lift", x.SqlLift);
            JsonOut.Number(w, "win_lift", x.WinLift);
            JsonOut.Number(w, "p_value", x.PValue, 6);

            w.WriteNumber("suggested_points", x.SuggestedPoints);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Check(CheckAnswer a, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("period", a.Scorecard.Period.Label);
        w.WriteString("as_of", Instant(a.Scorecard.AsOfUtc));
        w.WriteString("currency", a.Currency);
        w.WriteNumber("exit_code", a.ExitCode);
        w.WriteString("worst", a.Scorecard.Worst is { } worst ? TargetRules.Name(worst) : null);
        w.WriteStartArray("judged");
        foreach (var r in a.Judged)
        {
            w.WriteStartObject();
            w.WriteString("kpi", r.Kpi.Id);
            JsonOut.Slice(w, r.Result.Slice);
            JsonOut.Number(w, "value", r.Evaluated);
            JsonOut.Number(w, "target", r.Target?.Value);
            w.WriteString("status", TargetRules.Name(r.Status));
            JsonOut.Message(w, "status_label", TargetRules.Label(r.Status), language);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string History(KpiHistory h, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("kpi", h.Kpi.Id);
        w.WriteString("name", h.Kpi.NameIn(language));
        w.WriteString("currency", h.Currency);
        w.WriteStartArray("values");
        foreach (var v in h.Values)
        {
            w.WriteStartObject();
            w.WriteString("period", v.Period);
            w.WriteString("slice", v.Slice);
            JsonOut.Number(w, "value", v.Value);
            JsonOut.Number(w, "target", v.Target);
            w.WriteString("status", v.Status);
            w.WriteNumber("snapshot", v.SnapshotId);
            w.WriteString("taken_at", Instant(v.TakenAtUtc));
            if (v.ConfigVersion is { } cv)
            {
                w.WriteNumber("config_version", cv);
            }
            else
            {
                w.WriteNull("config_version");
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Review(ReviewResult r, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        Strings(w, "periods", r.Periods.Select(p => p.Label));
        w.WriteStartArray("kpis");
        foreach (var k in r.Kpis)
        {
            w.WriteStartObject();
            w.WriteString("kpi", k.Kpi);
            w.WriteString("slice", k.Slice);
            w.WriteString("finding", Snake(k.Finding.ToString()));
            w.WriteNumber("judged", k.Judged);
            w.WriteNumber("on_track", k.OnTrack);
            w.WriteNumber("min_n", k.MinN);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Strings(w, "unlinked_kpis", r.UnlinkedKpis);
        w.WriteStartArray("empty_goals");
        foreach (var g in r.EmptyGoals)
        {
            w.WriteStartObject();
            w.WriteString("goal", g.Id);
            w.WriteString("title", g.Title.In(language));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("changes");
        foreach (var c in r.Changes)
        {
            w.WriteStartObject();
            w.WriteNumber("version", c.Version.Number);
            w.WriteString("effective_from", Day(c.Version.EffectiveFrom));
            w.WriteString("author", c.Version.Author);
            w.WriteString("reason", c.Version.Reason);
            Strings(w, "parts", c.Parts);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Suggestions(TargetsSuggested s, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("kpi", s.Kpi.Id);
        w.WriteString("period", s.Period.Label);
        w.WriteString("currency", s.Currency);
        w.WriteNumber("usable", s.Usable);
        w.WriteStartArray("suggestions");
        foreach (var x in s.Suggestions)
        {
            w.WriteStartObject();
            JsonOut.Slice(w, x.Slice);
            JsonOut.Number(w, "value", x.Value);
            JsonOut.Number(w, "probability", x.Probability, 6);
            JsonOut.Number(w, "forecast", x.Forecast.Forecast, 6);
            JsonOut.Number(w, "sd", x.Forecast.Sd, 6);
            w.WriteNumber("history", x.Forecast.History.Count);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (s.Stored is { } stored)
        {
            Version(w, stored.Written);
            JsonOut.Notes(w, stored.NotInForce, language);
        }

        w.WriteEndObject();
    });

    public static string Params(ParamsAnswer p) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("parameters");
        foreach (var (name, value) in p.Current.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("value", value);
            w.WriteString("default", p.Defaults.TryGetValue(name, out var d) ? d : null);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("calendar", p.Calendar);
        w.WriteEndObject();
    });

    public static string Shown(int? version, ConfigShown s, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        if (version is { } v)
        {
            w.WriteNumber("version", v);
        }
        else
        {
            w.WriteNull("version");
        }

        w.WriteString("document", s.Document);
        w.WriteString("unreadable", s.Unreadable);
        Issues(w, "problems", s.Problems, language);
        w.WriteEndObject();
    });

    public static string Diff(ConfigDiffed d) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("from", d.From.Number);
        w.WriteNumber("to", d.To.Number);
        w.WriteStartArray("lines");
        foreach (var line in d.Hunks)
        {
            w.WriteStartObject();
            w.WriteString("op", line.Op.ToString());
            w.WriteString("text", line.Text);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string Validated(ConfigParseResult parsed, Language language) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteBoolean("valid", parsed.Errors.Count == 0);
        Issues(w, "errors", parsed.Errors, language);
        w.WriteEndObject();
    });

    /// <summary>What a change of the KPI system wrote: the version (null when the system already was exactly this), and notes.</summary>
    public static string Changed(VersionWritten written, IReadOnlyList<Msg> notes, Language language, TargetListing? listing = null) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        Version(w, written);
        if (listing is not null)
        {
            ApiJson.TargetList(w, listing);
        }

        JsonOut.Notes(w, notes, language);
        w.WriteEndObject();
    });

    public static string Snapshot(int id, ScorecardResult s) => JsonOut.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("snapshot", id);
        w.WriteString("period", s.Period.Label);
        w.WriteString("as_of", Instant(s.AsOfUtc));
        w.WriteNumber("values", s.Rows.Count);
        if (s.Version is { } v)
        {
            w.WriteNumber("config_version", v.Number);
        }
        else
        {
            w.WriteNull("config_version");
        }

        w.WriteEndObject();
    });

    /// <summary>
    /// The per-file report of an upload: <c>read = stored + rejected</c> for each file under the name it was uploaded
    /// with (<paramref name="labels"/>, by server path), and links to its rejects and warnings files.
    /// </summary>
    public static string Import(string upload, ImportReport r, IReadOnlyDictionary<string, string> labels, Language language) => JsonOut.Write(w =>
    {
        string Label(string path) => labels.TryGetValue(path, out var l) ? l : Path.GetFileName(path);
        w.WriteStartObject();
        w.WriteString("upload", upload);
        w.WriteNumber("import_id", r.ImportId);
        w.WriteBoolean("dry_run", r.DryRun);
        w.WriteBoolean("rolled_back", r.RolledBack);
        w.WriteNumber("read", r.Read);
        w.WriteNumber("stored", r.Stored);
        w.WriteNumber("rejected", r.Rejected);
        w.WriteNumber("exit_code", r.ExitCode);
        w.WriteStartArray("files");
        foreach (var (f, i) in r.Files.Select((f, i) => (f, i + 1)))
        {
            w.WriteStartObject();
            w.WriteNumber("file", i);
            w.WriteString("name", Label(f.Path));
            w.WriteString("entity", f.Entity);
            w.WriteNumber("read", f.Read);
            w.WriteNumber("stored", r.RolledBack ? 0 : f.Stored);
            w.WriteNumber("rejected", f.Rejected);
            w.WriteNumber("inserted", f.Inserted);
            w.WriteNumber("replaced", f.Replaced);
            w.WriteNumber("merged", f.Merged);
            Strings(w, "ignored_columns", f.IgnoredColumns);
            w.WriteStartArray("warnings");
            foreach (var x in f.Warnings)
            {
                w.WriteStartObject();
                w.WriteString("column", x.Column);
                JsonOut.Message(w, "message", x.Message, language);
                w.WriteNumber("count", x.Count);
                w.WriteStartArray("sample_lines");
                foreach (var line in x.SampleLines)
                {
                    w.WriteNumberValue(line);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            JsonOut.Message(w, "error", f.Error, language);
            w.WriteString("rejects", f.RejectsPath is null ? null : string.Create(CultureInfo.InvariantCulture, $"{ApiServer.Prefix}/imports/{upload}/rejects?file={i}"));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("skipped");
        foreach (var s in r.Skipped)
        {
            w.WriteStartObject();
            w.WriteString("name", Label(s.Path));
            JsonOut.Message(w, "reason", s.Reason, language);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("warnings", r.WarningsPath is null ? null : $"{ApiServer.Prefix}/imports/{upload}/warnings");
        w.WriteEndObject();
    });

    /// <summary>The problems of a refused input as an array of <c>{code, message}</c> (the problem details' <c>errors</c>).</summary>
    public static List<Dictionary<string, string?>> Errors(IEnumerable<Msg> errors, Language language) =>
        [.. errors.Select(e => new Dictionary<string, string?>(StringComparer.Ordinal) { ["code"] = e.Code, ["message"] = e.Render(language) })];

    private static void Version(Utf8JsonWriter w, VersionWritten written)
    {
        w.WriteBoolean("changed", written.Version is not null);
        if (written.Version is { } v)
        {
            w.WriteNumber("version", v.Number);
            w.WriteString("author", v.Author);
            w.WriteString("reason", v.Reason);
            w.WriteString("effective_from", Day(v.EffectiveFrom));
        }
        else
        {
            w.WriteNull("version");
        }
    }

    private static void Issues(Utf8JsonWriter w, string name, IEnumerable<ConfigIssue> issues, Language language)
    {
        w.WriteStartArray(name);
        foreach (var i in issues)
        {
            w.WriteStartObject();
            w.WriteNumber("line", i.Line);
            w.WriteNumber("column", i.Column);
            w.WriteString("code", i.Code);
            w.WriteString("message", i.Message.Render(language));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Range(Utf8JsonWriter w, string name, Range90 r)
    {
        w.WriteStartObject(name);
        JsonOut.Number(w, "median", r.Median);
        JsonOut.Number(w, "low", r.Low);
        JsonOut.Number(w, "high", r.High);
        w.WriteEndObject();
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

    private static string Instant(DateTime t) => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Snake(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : string.Empty) + char.ToLowerInvariant(c) : c.ToString()));
}
