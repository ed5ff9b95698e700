using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Engine;

/// <summary>
/// The SQL the engine sends, rendered per dialect with fixed parameters and kept as files under
/// <c>SqlSnapshots/&lt;name&gt;.&lt;dialect&gt;.sql</c>, so that a change in rendered SQL shows in review.
/// After an intended change: <c>SALESKPI_UPDATE_SNAPSHOTS=1 dotnet test --filter SqlSnapshot</c>, then review the diff.
/// </summary>
public sealed class SqlSnapshotTests
{
    private const string UpdateVariable = "SALESKPI_UPDATE_SNAPSHOTS";

    private static readonly string[] DuckDbOnly =
    [
        "quantile_cont", "regexp_", "contains(", "epoch(", "GROUP BY ALL", "EXCLUDE", "list_", "INSERT OR REPLACE", "OR REPLACE", "arg_max",
        "range(", "::", "INTERVAL", "COPY ", "DOUBLE", "$",
    ];

    /// <summary>The dialects whose SQL is kept as snapshots; a new engine's dialect is added here.</summary>
    private static readonly ISqlDialect[] Dialects = [DuckDbDialect.Instance];

    public static TheoryData<string, string> Names()
    {
        var data = new TheoryData<string, string>();
        foreach (var d in Dialects)
        {
            foreach (var name in Render(d).Keys)
            {
                data.Add(d.Name, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Rendered_sql_matches_its_snapshot(string dialect, string name)
    {
        var sql = Render(Dialects.Single(d => d.Name == dialect))[name];
        var file = Path.Combine(SnapshotDir(), $"{name}.{dialect}.sql");
        if (Updating())
        {
            File.WriteAllText(file, sql, new UTF8Encoding(false));
            return;
        }

        File.Exists(file).ShouldBeTrue($"No snapshot {file}: render it with {UpdateVariable}=1 and review it.");
        var expected = File.ReadAllText(file).ReplaceLineEndings("\n");
        if (expected != sql)
        {
            var want = expected.Split('\n');
            var got = sql.Split('\n');
            var line = Enumerable.Range(0, Math.Max(want.Length, got.Length)).First(i => i >= want.Length || i >= got.Length || want[i] != got[i]);
            throw new Xunit.Sdk.XunitException(
                $"The rendered SQL of {name} differs from {file} at line {line + 1}:\n" +
                $"  snapshot: {(line < want.Length ? want[line] : "<end>")}\n" +
                $"  rendered: {(line < got.Length ? got[line] : "<end>")}\n" +
                $"If the change is intended, run the tests with {UpdateVariable}=1 and commit the reviewed files.");
        }
    }

    [Fact]
    public void Every_snapshot_file_belongs_to_rendered_sql()
    {
        var names = Dialects.SelectMany(d => Render(d).Keys.Select(n => $"{n}.{d.Name}.sql")).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetFiles(SnapshotDir(), "*.sql").Where(f => !names.Contains(Path.GetFileName(f))).ToList();
        if (Updating())
        {
            orphans.ForEach(File.Delete);
            return;
        }

        orphans.ShouldBeEmpty("snapshots of SQL the engine no longer renders");
    }

    [Fact]
    public void Engine_sql_has_no_duckdb_only_construct_outside_the_dialect()
    {
        // A dialect that spells every member with a marker: whatever DuckDB-only text is left was written by the engine itself.
        var rendered = Render(new MarkerDialect());
        foreach (var (name, sql) in rendered)
        {
            foreach (var token in DuckDbOnly)
            {
                sql.Contains(token, StringComparison.OrdinalIgnoreCase).ShouldBeFalse($"{name} renders '{token}' outside the dialect");
            }
        }

        // The markers show that the dialect is really asked (so the scan above cannot pass vacuously).
        var all = string.Concat(rendered.Values);
        foreach (var marker in new[] { "@asof", "PCT<0.5>(", "SECONDS<", "EPOCH<", "IRANGE<", "APOS<", "AELEM<", "ARGMAX<", "TEMP<_bk>", "T_TIMESTAMP" })
        {
            all.ShouldContain(marker);
        }
    }

    [Fact]
    public void Engine_source_spells_no_duckdb_only_construct()
    {
        // Covers SQL no snapshot renders (calibration, simulation, the KPI-system store): the dialect lives in Storage.
        var src = Path.GetFullPath(Path.Combine(SnapshotDir(), "..", "..", "..", "..", "src", "SalesKpi.Metrics"));
        var files = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        files.ShouldNotBeEmpty();
        var placeholder = new Regex(@"\$[a-z_][a-z0-9_]*", RegexOptions.CultureInvariant);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            foreach (var token in DuckDbOnly.Where(t => t is not "$" and not "DOUBLE"))
            {
                text.Contains(token, StringComparison.Ordinal).ShouldBeFalse($"{Path.GetFileName(file)} spells '{token}'; render it through ISqlDialect");
            }

            placeholder.IsMatch(text).ShouldBeFalse($"{Path.GetFileName(file)} writes the placeholder '{placeholder.Match(text).Value}'; use ISqlDialect.Parameter");
        }
    }

    /// <summary>Every statement the snapshots cover, per snapshot name, rendered for <paramref name="d"/>.</summary>
    private static SortedDictionary<string, string> Render(ISqlDialect d)
    {
        // The specification's default parameters; a business calendar only where it changes the SQL.
        var p = new KpiParameters();
        var calendar = p with { Calendar = new BusinessCalendar() };
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, f) in Families.Build(p, d))
        {
            var dim = f.Dimensions.Keys.Order(StringComparer.Ordinal).First();
            var sb = new StringBuilder();
            Section(sb, $"family {name}: aggregates per bucket", f.AggregateSql([], quarterHourBuckets: true));
            Section(sb, $"family {name}: aggregates per bucket, total and by {dim}", f.AggregateSql([dim], quarterHourBuckets: true));
            Section(sb, $"family {name}: aggregates per bucket, buckets off the quarter-hour grid (range join)", f.AggregateSql([], quarterHourBuckets: false));
            Section(sb, $"family {name}: explain rows of one {dim}, at most 21", f.ListSql([dim], 21, quarterHourBuckets: true));
            if (name == Families.Leads)
            {
                Section(sb, "family leads: aggregates per bucket, response time in business hours", Families.Build(calendar, d)[name].AggregateSql([], quarterHourBuckets: true));
            }

            result[name] = sb.ToString();
        }

        var engine = new StringBuilder();
        Section(engine, "buckets", KpiEngine.BucketTableSql(d));
        Section(engine, "days of the buckets", KpiEngine.DayTableSql(d));
        Section(engine, "quarter-hours of the buckets", KpiEngine.QuarterHourTableSql(d, aligned: true));
        Section(engine, "quarter-hours of the buckets, a boundary off the grid", KpiEngine.QuarterHourTableSql(d, aligned: false));
        Section(engine, "working time per quarter-hour (business calendar)", KpiEngine.WorkingHoursTableSql(d));
        Section(engine, "rows per entity known at as-of", KpiEngine.TableCountsSql(d));
        result["engine"] = engine.ToString();

        var funnel = new StringBuilder();
        Section(funnel, "lead steps", FunnelEngine.LeadSectionSql(d, null));
        Section(funnel, "lead steps, total and by channel", FunnelEngine.LeadSectionSql(d, "l.channel"));
        Section(funnel, "stage order from the data", FunnelEngine.StageOrderSql(d));
        Section(funnel, "furthest stage and state of the cohort deals", FunnelEngine.ReachSql(d, null));
        Section(funnel, "furthest stage and state, total and by owner", FunnelEngine.ReachSql(d, Families.DealDimensions["owner"]));
        Section(funnel, "stalled open deals", FunnelEngine.StalledSql(d));
        Section(funnel, "time in each stage", FunnelEngine.StageTimesSql(d, null));
        Section(funnel, "time in each stage, total and by channel", FunnelEngine.StageTimesSql(d, Families.DealDimensions["channel"]));
        result["funnel"] = funnel.ToString();

        var (groups, plain) = SurvivalEngine.Sql(d);
        var survival = new StringBuilder();
        Section(survival, "durations by state", groups);
        Section(survival, "plain mean and median of the won deals", plain);
        result["survival"] = survival.ToString();
        return result;
    }

    private static void Section(StringBuilder sb, string title, string sql) =>
        sb.Append("-- ").Append(title).Append('\n').Append(sql.ReplaceLineEndings("\n").TrimEnd()).Append(";\n\n");

    private static bool Updating() => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    private static string SnapshotDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "SqlSnapshots");

    /// <summary>Spells every dialect member with a marker that no engine accepts.</summary>
    private sealed class MarkerDialect : ISqlDialect
    {
        public string Name => "marker";

        public string TypeName(ColumnType type) => "T_" + type.ToString().ToUpperInvariant();

        public string Quote(string identifier) => "\"" + identifier + "\"";

        public string PercentileCont(double fraction, string expr) => string.Create(CultureInfo.InvariantCulture, $"PCT<{fraction}>({expr})");

        public string SecondsBetween(string from, string to) => $"SECONDS<{from}, {to}>";

        public string Parameter(string name) => "@" + name;

        public string EpochSeconds(string expr) => $"EPOCH<{expr}>";

        public string IntegerRange(string start, string stop) => $"IRANGE<{start}, {stop}>";

        public string ArrayPosition(string array, string element) => $"APOS<{array}, {element}>";

        public string ArrayElement(string array, string index) => $"AELEM<{array}, {index}>";

        public string ArgMax(string value, string key) => $"ARGMAX<{value}, {key}>";

        public string CreateTempTable(string name, string definition) => $"TEMP<{name}> {definition}";
    }
}
