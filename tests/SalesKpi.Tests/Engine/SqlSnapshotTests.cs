using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Storage.DuckDb;
using SalesKpi.Storage.Postgres;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Engine;

/// <summary>
/// The SQL the engine, the import and the KPI-system store send, rendered per dialect with fixed parameters and kept as files under
/// <c>SqlSnapshots/&lt;name&gt;.&lt;dialect&gt;.sql</c>, so that a change in rendered SQL shows in review.
/// After an intended change: <c>SALESKPI_UPDATE_SNAPSHOTS=1 dotnet test --filter SqlSnapshot</c>, then review the diff.
/// </summary>
public sealed class SqlSnapshotTests
{
    private const string UpdateVariable = "SALESKPI_UPDATE_SNAPSHOTS";

    private static readonly string[] DuckDbOnly =
    [
        "quantile_cont", "regexp_", "contains(", "epoch(", "GROUP BY ALL", "EXCLUDE", "list_", "INSERT OR REPLACE", "OR REPLACE", "arg_max",
        "range(", "::", "INTERVAL", "COPY ", "DOUBLE", "$", "rowid", "nextval(", "starts_with(", "array_to_string(",
    ];

    /// <summary>The dialects whose SQL is kept as snapshots; a new engine's dialect is added here.</summary>
    private static readonly ISqlDialect[] Dialects =
    [
        DuckDbDialect.Instance,
        new PostgresDialect(1, EntityCatalog.All.ToDictionary(
            e => e.Name, e => (IReadOnlyList<string>)[.. e.Columns.Select(c => c.Name), "file_id", "source_line"], StringComparer.Ordinal)),
    ];

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
        foreach (var marker in new[]
        {
            "@asof", "PCT<0.5>(", "SECONDS<", "EPOCH<", "IRANGE<", "APOS<", "AELEM<", "ARGMAX<", "TEMP<_bk>", "T_TIMESTAMP",
            "@p1", "UPSERT<saleskpi_meta|key>", "SEQUENCE<import_ids, 1>", "NEXT<snapshot_ids>", "ROW_IDENT", "JOINFIRST<source_line|6>", "TEMP<_rej_7>", "TEMP<_sum_7>", "TEMP<_conf_7>",
        })
        {
            all.ShouldContain(marker);
        }
    }

    [Theory]
    [InlineData("SalesKpi.Metrics")]
    [InlineData("SalesKpi.Import")]
    [InlineData("SalesKpi.Application")]
    [InlineData("SalesKpi.Storage")]
    public void Engine_source_spells_no_duckdb_only_construct(string project)
    {
        // Covers SQL no snapshot renders (calibration, simulation, status, the import log): the dialect lives in
        // Storage, DuckDB's spellings only in its provider folder Storage/DuckDb (PostgreSQL's in Storage/Postgres).
        var src = Path.GetFullPath(Path.Combine(SnapshotDir(), "..", "..", "..", "..", "src", project));
        var sep = Path.DirectorySeparatorChar;
        var files = Directory.GetFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{sep}obj{sep}", StringComparison.Ordinal)
                && !f.Contains($"{sep}bin{sep}", StringComparison.Ordinal)
                && !f.Contains($"{sep}SalesKpi.Storage{sep}DuckDb{sep}", StringComparison.Ordinal)
                && !f.Contains($"{sep}SalesKpi.Storage{sep}Postgres{sep}", StringComparison.Ordinal))
            .ToList();
        files.ShouldNotBeEmpty();
        var placeholder = new Regex(@"\$([a-z_][a-z0-9_]*|[0-9]+)", RegexOptions.CultureInvariant);
        foreach (var file in files)
        {
            // Comments may name what they avoid (e.g. "not DuckDB's QUALIFY"); only code is scanned.
            var text = string.Join('\n', File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
            foreach (var token in DuckDbOnly.Where(t => t is not "$" and not "DOUBLE").Append("AS DOUBLE)"))
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

            // What a report of one KPI sends: its family pruned to the aggregates the KPI declares.
            foreach (var kpi in KpiDefinitions.All.Where(k => k.Kpi.Id is "leads" or "lead_response_time" or "lead_quality" or "win_rate" or "retention_rate"))
            {
                if (kpi.Uses.FirstOrDefault(u => u.Family == name) is { } use)
                {
                    var by = f.Dimensions.ContainsKey("channel") ? "channel" : dim;
                    Section(sb, $"family {name}: pruned to what {kpi.Kpi.Id} reads, total and by {by}", f.Pruned(use.Names).AggregateSql([by], quarterHourBuckets: true));
                }
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

        result["import"] = ImportStatements(d);
        result["kpi_system_store"] = StoreStatements(d);

        var (groups, plain) = SurvivalEngine.Sql(d);
        var survival = new StringBuilder();
        Section(survival, "durations by state", groups);
        Section(survival, "plain mean and median of the won deals", plain);
        result["survival"] = survival.ToString();
        return result;
    }

    /// <summary>
    /// What an import runs per file and per import: the de-duplication and replacement of a summed entity (spend),
    /// of one with content columns (deals) and of one whose key includes a nullable column (deal stages), the
    /// warning queries, the dry-run preview, the import log and the status listing.
    /// </summary>
    private static string ImportStatements(ISqlDialect d)
    {
        var sb = new StringBuilder();
        var spend = new ImportSql(d, EntityCatalog.Find("spend")!, 7);
        Section(sb, "rejects table", spend.CreateRejectsTable());
        Section(sb, "rejected rows", spend.SelectRejects());
        Section(sb, "table layout", spend.TableColumns());
        Section(sb, "spend: repeated keys", spend.CountRepeatedKeys());
        Section(sb, "spend: sums of repeated keys", spend.CreateSumTable());
        Section(sb, "spend: reject sums too large to store", spend.RejectTooLargeSums());
        Section(sb, "spend: delete rows of sums too large", spend.DeleteTooLargeSums());
        Section(sb, "spend: drop sums too large", spend.DropTooLargeSums());
        Section(sb, "spend: delete summed rows", spend.DeleteSummedRows());
        Section(sb, "spend: store the sums", spend.InsertSums());
        Section(sb, "spend: drop the sums", spend.DropSumTable());
        Section(sb, "spend: replace rows stored earlier", spend.DeleteReplaced());
        var deals = new ImportSql(d, EntityCatalog.Find("deals")!, 7);
        Section(sb, "deals: keys with conflicting content", deals.CreateConflictTable()!);
        Section(sb, "deals: reject conflicting rows", deals.RejectConflicts());
        Section(sb, "deals: delete conflicting rows", deals.DeleteConflicts());
        Section(sb, "deals: drop conflicts", deals.DropConflictTable());
        Section(sb, "deals: merge identical copies", deals.DeleteIdenticalCopies());
        Section(sb, "deals: rows of other files exist", deals.CountOlderRows());
        Section(sb, "deals: replace rows stored earlier", deals.DeleteReplaced());
        Section(sb, "deals: warned rows", deals.InsertWarnings("_wrn_3", "\"closed_at\" < \"created_at\""));
        Section(sb, "deals: first warned lines", deals.FirstWarnedLines("_wrn_3"));
        Section(sb, "deals: dry-run preview", deals.Preview());
        var stages = new ImportSql(d, EntityCatalog.Find("deal_stages")!, 7);
        Section(sb, "deal_stages: merge identical copies", stages.DeleteIdenticalCopies());
        Section(sb, "deal_stages: replace rows stored earlier", stages.DeleteReplaced());
        Section(sb, "warnings table", ImportSql.CreateWarningsTable(d, "_wrn_3"));
        Section(sb, "warnings file", ImportSql.WarningsFileQuery("_wrn_3"));
        Section(sb, "import id", "SELECT " + d.NextValue(IdSequences.Imports));
        Section(sb, "file id", "SELECT " + d.NextValue(IdSequences.ImportFiles));
        Section(sb, "log the import", ImportSql.InsertImport(d));
        Section(sb, "log a file", ImportSql.InsertImportFile(d));
        Section(sb, "is an import committed", ImportSql.CountImport(d));
        Section(sb, "status: last imports", WorkspaceContents.LastImportsSql(d));
        return sb.ToString();
    }

    /// <summary>The KPI-system store's writes and reads, the settings upsert and the id sequences of migration 3.</summary>
    private static string StoreStatements(ISqlDialect d)
    {
        var sb = new StringBuilder();
        Section(sb, "write a setting, replacing its earlier value", Workspace.WriteSettingSql(d));
        Section(sb, "read a setting", Workspace.ReadSettingSql(d));
        Section(sb, "store a KPI-system version", ConfigStore.InsertVersionSql(d));
        Section(sb, "snapshot id", "SELECT " + d.NextValue(IdSequences.Snapshots));
        Section(sb, "store a snapshot", Snapshots.InsertSql(d));
        Section(sb, "history of totals", Snapshots.HistorySql(d, bySlice: false));
        Section(sb, "history by one dimension", Snapshots.HistorySql(d, bySlice: true));
        foreach (var sequence in new[] { IdSequences.Imports, IdSequences.ImportFiles, IdSequences.Snapshots })
        {
            Section(sb, $"migration 3: sequence {sequence} on a new workspace", d.CreateSequence(sequence, 1));
        }

        return sb.ToString();
    }

    private static void Section(StringBuilder sb, string title, string sql) =>
        sb.Append("-- ").Append(title).Append('\n').Append(sql.ReplaceLineEndings("\n").TrimEnd()).Append(";\n\n");

    private static bool Updating() => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    private static string SnapshotDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "SqlSnapshots");

    /// <summary>Spells every dialect member with a marker that no engine accepts.</summary>
    private sealed class MarkerDialect : ISqlDialect
    {
        public string Name => "marker";

        public bool SessionsSideBySide => false;

        public (string Enter, string Leave)? SideBySideSession => null;

        public string TypeName(ColumnType type) => "T_" + type.ToString().ToUpperInvariant();

        public string Quote(string identifier) => "\"" + identifier + "\"";

        public string PercentileCont(double fraction, string expr) => string.Create(CultureInfo.InvariantCulture, $"PCT<{fraction}>({expr})");

        public string PercentilesCont(IReadOnlyList<double> fractions, string expr) => $"PCTS<{string.Join(", ", fractions.Select(f => f.ToString(CultureInfo.InvariantCulture)))}>({expr})";

        public string SecondsBetween(string from, string to) => $"SECONDS<{from}, {to}>";

        public string Parameter(string name) => "@" + name;

        public string EpochSeconds(string expr) => $"EPOCH<{expr}>";

        public string IntegerRange(string start, string stop) => $"IRANGE<{start}, {stop}>";

        public string ArrayPosition(string array, string element) => $"APOS<{array}, {element}>";

        public string ArrayElement(string array, string index) => $"AELEM<{array}, {index}>";

        public string ArgMax(string value, string key) => $"ARGMAX<{value}, {key}>";

        public bool TestsDistinctValuesOnce => true;

        public string ContainsAny(string expr, IReadOnlyList<string> words) => $"CONTAINSANY<{expr}|{string.Join("|", words)}>";

        public string CreateTempTable(string name, string definition) => $"TEMP<{name}> {definition}";

        public string CreateTempView(string name, string query) => $"TEMPVIEW<{name}> {query}";

        public string StoredTable(string catalog, string table) => $"STORED<{catalog}.{table}>";

        public string StringLiteral(string value) => $"LIT<{value}>";

        public string Parameter(int position) => string.Create(CultureInfo.InvariantCulture, $"@p{position}");

        public string Upsert(string table, IReadOnlyList<string> keyColumns, IReadOnlyList<string> columns, IReadOnlyList<string> values) =>
            $"UPSERT<{table}|{string.Join(",", keyColumns)}>({string.Join(", ", columns)}) VALUES ({string.Join(", ", values)})";

        public string CreateSequence(string name, long start) => string.Create(CultureInfo.InvariantCulture, $"SEQUENCE<{name}, {start}>");

        public string NextValue(string name) => $"NEXT<{name}>";

        public string RowId => "ROW_IDENT";

        public (string Table, string Filter) RowIdSource(string table) => ($"ROWS<{table}>", "ROWS_FILTER");

        public string Round(string expr, int digits) => string.Create(CultureInfo.InvariantCulture, $"ROUND<{expr}, {digits}>");

        public string JoinFirst(string expr, string orderBy, int count, string separatorLiteral) =>
            string.Create(CultureInfo.InvariantCulture, $"JOINFIRST<{expr}|{count}>({orderBy}, {separatorLiteral})");
    }
}
