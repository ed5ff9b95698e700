using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Config;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;

namespace SalesKpi.Metrics.KpiSystem;

/// <summary>One stored version of a workspace's KPI system.</summary>
/// <param name="Number">Version number, from 1, in order of application.</param>
/// <param name="AppliedAtUtc">When it was applied (UTC).</param>
/// <param name="EffectiveFrom">First local day it governs.</param>
/// <param name="Author">Who applied it.</param>
/// <param name="Reason">Why, as given.</param>
/// <param name="Document">The canonical YAML of the configuration.</param>
public sealed record ConfigVersion(int Number, DateTime AppliedAtUtc, DateOnly EffectiveFrom, string Author, string Reason, string Document)
{
    /// <summary>The name of this version in issues: <c>version N</c>.</summary>
    public string Name => "version " + Number.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Why this build cannot read the version: every issue of its stored text, empty when it reads. Only
    /// versions stored without validation (before every write was checked) or by another SalesKpi have any.
    /// </summary>
    public IReadOnlyList<ConfigIssue> Problems => KpiSystemParser.Parse(Document, Name).Errors;

    /// <summary>The configuration this version holds; throws, saying what is wrong and how to repair it, when it cannot be read.</summary>
    public KpiSystemConfig Config
    {
        get
        {
            var parsed = KpiSystemParser.Parse(Document, Name);
            return parsed.Config ?? throw new SalesKpiException(Unreadable(parsed.Errors));
        }
    }

    /// <summary>One message: which version cannot be read, its first issues, and the command that repairs the workspace.</summary>
    public Msg Unreadable(IReadOnlyList<ConfigIssue> issues)
    {
        var shown = issues.Take(3).Select(i => i.ToMsg()).ToList();
        if (issues.Count > 3)
        {
            shown.Add(Msg.Verbatim("…"));
        }

        return Msg.Of(
            "config.version_unreadable",
            "Stored KPI-system version {0} (effective from {1:yyyy-MM-dd}) cannot be read by this SalesKpi ({2}). Repair: write a valid file (saleskpi config show prints the stored text to start from) and apply it with 'saleskpi config apply FILE --reason \"repair\" --effective {1:yyyy-MM-dd}'.",
            "Сохранённая версия {0} системы KPI (действует с {1:yyyy-MM-dd}) не читается этой версией SalesKpi ({2}). Исправление: подготовьте корректный файл (saleskpi config show выведет сохранённый текст) и примените его: «saleskpi config apply ФАЙЛ --reason \"repair\" --effective {1:yyyy-MM-dd}».",
            Number,
            EffectiveFrom,
            Msg.Join("; ", shown));
    }
}

/// <summary>
/// The versioned KPI system of a workspace. Every change is a new version with time, author, reason and
/// effective date; versions are never edited. A period is evaluated with the version in force on its
/// last day (or the as-of day when earlier): the highest-numbered version effective on or before that
/// day, or — for days before the first effective date, when no system existed yet — the latest version.
/// </summary>
public static class ConfigStore
{
    /// <summary>Every version, oldest first.</summary>
    public static IReadOnlyList<ConfigVersion> Versions(Workspace ws) =>
        ws.Query(
            "SELECT version, applied_at, effective_from, author, reason, document FROM kpi_config_versions ORDER BY version",
            r => new ConfigVersion(r.GetInt32(0), r.GetDateTime(1), DateOnly.FromDateTime(r.GetDateTime(2)), r.GetString(3), r.GetString(4), r.GetString(5))).ToList();

    /// <summary>The version numbered <paramref name="number"/>; throws <see cref="SalesKpiException"/> listing the range when there is none.</summary>
    public static ConfigVersion Get(Workspace ws, int number)
    {
        var all = Versions(ws);
        return all.FirstOrDefault(v => v.Number == number)
            ?? throw new SalesKpiException(all.Count == 0
                ? Msg.Of("config.no_versions", "The workspace has no KPI-system version yet: apply one with 'saleskpi config apply kpi-system.yaml --reason \"...\"'.", "В рабочей области ещё нет версий системы KPI: примените файл командой «saleskpi config apply kpi-system.yaml --reason \"...\"».")
                : Msg.Of("config.no_such_version", "There is no KPI-system version {0}: versions are 1 to {1} (saleskpi config log).", "Версии системы KPI {0} нет: есть версии с 1 по {1} (saleskpi config log).", number, all[^1].Number));
    }

    /// <summary>The latest version; null when none was applied.</summary>
    public static ConfigVersion? Latest(Workspace ws) => Versions(ws) is { Count: > 0 } all ? all[^1] : null;

    /// <summary>
    /// The configuration now: the latest version, or for a workspace without versions the specification's
    /// defaults with any parameters changed by an earlier SalesKpi (<c>params set</c> before versioning).
    /// </summary>
    public static KpiSystemConfig Current(Workspace ws) => Latest(ws)?.Config ?? Legacy(ws);

    /// <summary>The version in force on local day <paramref name="day"/> (see the type's summary); null when none was applied.</summary>
    public static ConfigVersion? InForce(Workspace ws, DateOnly day)
    {
        var all = Versions(ws);
        return all.LastOrDefault(v => v.EffectiveFrom <= day) ?? (all.Count > 0 ? all[^1] : null);
    }

    /// <summary>The local day that decides which version evaluates <paramref name="period"/>: its last day, or the as-of day when earlier.</summary>
    public static DateOnly ReferenceDay(Period period, DateTimeOffset asOf, TimeZoneInfo zone)
    {
        var asOfDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(asOf.UtcDateTime, zone));
        return asOfDay < period.LastDay ? asOfDay : period.LastDay;
    }

    /// <summary>The configuration and version evaluating <paramref name="period"/>; <paramref name="version"/> overrides the choice.</summary>
    public static (KpiSystemConfig Config, ConfigVersion? Version) For(Workspace ws, Period period, DateTimeOffset asOf, int? version = null)
    {
        var v = version is { } n ? Get(ws, n) : InForce(ws, ReferenceDay(period, asOf, ws.Settings.Zone));
        return (v?.Config ?? Legacy(ws), v);
    }

    /// <summary>
    /// Stores <paramref name="config"/> as a new version after checking it with the KPI-system validator
    /// (<see cref="KpiSystemParser.Validate"/>); an invalid one throws <see cref="KpiSystemInvalidException"/>
    /// and stores nothing. Returns null (and stores nothing) when it equals the latest version. <paramref name="effectiveFrom"/> defaults to today in the workspace zone.
    /// A change typed as a command (<paramref name="source"/>, e.g. <c>targets set</c>) is reported against
    /// that input: its new targets are checked first with the value as typed, and no issue points into the
    /// generated version text; without a source (a file) issues keep their <c>file:line:column</c>.
    /// </summary>
    public static ConfigVersion? Apply(Workspace ws, KpiSystemConfig config, string reason, string author, TimeProvider clock, DateOnly? effectiveFrom = null, string? source = null)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new SalesKpiException(Msg.Of("config.reason_required", "Say why the KPI system changes: --reason \"...\" is recorded with the version.", "Укажите, почему меняется система KPI: --reason \"...\" сохраняется вместе с версией."));
        }

        var document = KpiSystemWriter.Write(config);
        Lock(ws);
        var latest = Latest(ws);
        if (latest?.Document == document)
        {
            return null;
        }

        // The one gate of every write (config apply, params, targets): a version is stored only when this
        // build reads it back exactly, so no command can leave a workspace it cannot evaluate.
        // Version numbers are what users name in `config diff 2 3`, so they stay dense from 1 — a sequence may skip
        // values. Taking the next number from the versions read above is safe: they were read under Lock, which a
        // second writer (another server process on a PostgreSQL workspace) waits for until this transaction ends, and
        // the primary key on `version` still refuses a number taken twice.
        var number = (latest?.Number ?? 0) + 1;
        if (source is not null)
        {
            var before = latest is null ? [] : KpiSystemParser.Parse(latest.Document, latest.Name).Config?.Targets ?? [];
            var typed = config.Targets
                .Where(t => !before.Any(b => b.Key == t.Key && b.Value == t.Value && b.TolerancePercent == t.TolerancePercent))
                .SelectMany(t => TargetRules.Problems(config, t, percentAllowed: true))
                .Select(p => new ConfigIssue(source, 0, 0, p.Code, p.Message))
                .ToList();
            if (typed.Count > 0)
            {
                throw new KpiSystemInvalidException(source, typed);
            }
        }

        var issues = KpiSystemParser.Validate(config, "version " + number.ToString(CultureInfo.InvariantCulture));
        if (issues.Count > 0)
        {
            throw source is null ? new KpiSystemInvalidException(issues) : new KpiSystemInvalidException(source, issues);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var effective = effectiveFrom ?? DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(now, ws.Settings.Zone));
        var version = new ConfigVersion(number, now, effective, author, reason.Trim(), document);
        ws.Execute(
            InsertVersionSql(ws.Dialect),
            version.Number,
            version.AppliedAtUtc,
            version.EffectiveFrom,
            version.Author,
            version.Reason,
            version.Document);
        return version;
    }

    /// <summary>
    /// Makes the writers of KPI-system versions take turns: inside the caller's transaction it writes one settings row
    /// (<see cref="LockKey"/>), whose row lock a second transaction doing the same waits for until the first commits or
    /// rolls back. A change built from the latest version (a target set, a parameter changed) should call it before it
    /// reads that version, so that two changes at the same moment make two versions, the second built on the first,
    /// instead of one failing or one losing the other's change. Outside a transaction it orders nothing.
    /// </summary>
    public static void Lock(Workspace ws)
    {
        ArgumentNullException.ThrowIfNull(ws);
        ws.WriteSetting(LockKey, "held while a KPI-system version is written");
    }

    /// <summary>The settings key whose row <see cref="Lock"/> writes.</summary>
    public const string LockKey = "lock.kpi_system_version";

    /// <summary>
    /// The statement storing one version: parameters 1–6 are number, applied at (UTC), effective from, author,
    /// reason and the canonical document.
    /// </summary>
    public static string InsertVersionSql(ISqlDialect d)
    {
        ArgumentNullException.ThrowIfNull(d);
        return $"INSERT INTO kpi_config_versions (version, applied_at, effective_from, author, reason, document) VALUES ({string.Join(", ", Enumerable.Range(1, 6).Select(d.Parameter))})";
    }

    /// <summary>Who is applying a change when not stated: the operating-system user.</summary>
    public static string DefaultAuthor => Environment.UserName is { Length: > 0 } u ? u : "unknown";

    private static KpiSystemConfig Legacy(Workspace ws) => new()
    {
        Parameters = ws.ReadSettings("param.").Aggregate(new KpiParameters(), (p, kv) => p.Set(kv.Key, kv.Value)),
    };
}
