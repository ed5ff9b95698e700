using System.Collections.Immutable;
using System.Globalization;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;
using SalesKpi.Storage;
using SalesKpi.Storage.DuckDb;
using SalesKpi.Tests.Metrics;

namespace SalesKpi.Tests.Engine;

/// <summary>
/// A report computes of each family only the aggregates its KPIs declare (<see cref="KpiDefinition.Uses"/>). Pruning may
/// change the time, never a result: every catalogue KPI, alone and all together, with and without slices, gives the same
/// values, intervals, details, flags and reasons as the full family query — so a declaration that misses an aggregate
/// fails here (reading it throws) rather than reading as 0.
/// </summary>
public sealed class FamilyPruningTests(DemoWorkspace demo) : IClassFixture<DemoWorkspace>
{
    private static readonly Period Year = Period.Parse("2025");
    private static readonly DateTimeOffset AsOf = KpiFixture.At("2026-06-01T00:00:00Z");

    private readonly Workspace ws = demo.Ws;

    public static TheoryData<string, string> KpisAndSlices()
    {
        var data = new TheoryData<string, string>();
        foreach (var kpi in KpiCatalog.All)
        {
            foreach (var by in new[] { string.Empty, "channel", "owner" })
            {
                data.Add(kpi.Id, by);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KpisAndSlices))]
    public void One_kpi_computed_from_pruned_families_equals_the_full_families(string id, string by)
    {
        var request = Request([KpiCatalog.Get(id)], by);

        var pruned = Lines(new KpiEngine(ws) { PruneFamilies = true }.Run(request));
        var full = Lines(new KpiEngine(ws) { PruneFamilies = false }.Run(request));

        pruned.ShouldBe(full);
        pruned.Count.ShouldBeGreaterThanOrEqualTo(12);
    }

    [Theory]
    [InlineData("")]
    [InlineData("channel")]
    [InlineData("segment")]
    public void All_kpis_computed_from_pruned_families_equal_the_full_families(string by)
    {
        foreach (var parameters in new[] { new KpiParameters(), new KpiParameters { WinRateBasis = WinRateBasis.Created, CycleStart = CycleStart.Lead } })
        {
            var request = Request([], by) with { Parameters = parameters };

            var pruned = Lines(new KpiEngine(ws) { PruneFamilies = true }.Run(request));
            var full = Lines(new KpiEngine(ws) { PruneFamilies = false }.Run(request));

            pruned.ShouldBe(full);
            // Not vacuous: most of the catalogue has values on the demo.
            pruned.Count(l => !l.Contains("|value=|", StringComparison.Ordinal)).ShouldBeGreaterThan(KpiCatalog.All.Length * 6);
        }
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void Every_declared_aggregate_exists_in_a_family_the_kpi_reads(string id)
    {
        var definition = KpiDefinitions.For(KpiCatalog.Get(id));
        var families = Families.Build(new KpiParameters(), DuckDbDialect.Instance);

        definition.Uses.Select(u => u.Family).Distinct().Order(StringComparer.Ordinal).ShouldBe(definition.Reads.Order(StringComparer.Ordinal), $"{id}: declares uses of exactly the families it reads");
        foreach (var use in definition.Uses)
        {
            use.Names.ShouldNotBeEmpty($"{id}: {use.Family}");
            use.Names.ShouldAllBe(n => families[use.Family].Aggregates.Any(a => a.Name == n), $"{id}: aggregates of {use.Family}");
        }
    }

    public static TheoryData<string> Kpis() => new(KpiCatalog.All.Select(k => k.Id));

    [Fact]
    public void Reading_an_aggregate_that_was_not_computed_throws_naming_it()
    {
        var agg = new KpiEngine.Agg(Families.Leads, ["n"]) { ["n"] = 3 };

        agg.Get("n").ShouldBe(3);
        Should.Throw<InvalidOperationException>(() => agg.Get("score_sum")).Message.ShouldContain("'score_sum'");
        Should.Throw<InvalidOperationException>(() => agg.Maybe("resp_median")).Message.ShouldContain("'leads'");
    }

    [Fact]
    public void The_leads_count_reads_neither_milestones_nor_deals_nor_row_columns()
    {
        var leads = Families.Build(new KpiParameters(), DuckDbDialect.Instance)[Families.Leads];

        var sql = leads.Pruned(["n"]).AggregateSql(["channel"], quarterHourBuckets: true);

        sql.ShouldNotContain("lead_milestones");
        sql.ShouldNotContain("deals");
        sql.ShouldNotContain("\"lead_id\"");
        sql.ShouldContain("count(*) AS \"n\"");
        leads.AggregateSql(["channel"], quarterHourBuckets: true).ShouldContain("lead_milestones");
    }

    [Fact]
    public void The_response_time_keeps_the_milestones_but_not_the_score_or_win_columns()
    {
        var leads = Families.Build(new KpiParameters(), DuckDbDialect.Instance)[Families.Leads];
        var uses = KpiDefinitions.For(KpiCatalog.LeadResponseTime).Uses.Single().Names;

        var pruned = leads.Pruned(uses);

        pruned.Prelude.Select(c => c.Alias).ShouldBe(["ms"]);
        pruned.Columns.Select(c => c.Name).ShouldBe(["response_hours"]);
        pruned.AggregateSql(["channel"], quarterHourBuckets: true).ShouldNotContain("FROM deals");
    }

    [Theory]
    [InlineData(WinRateBasis.Closed, Families.DealsClosed, Families.DealsCreated)]
    [InlineData(WinRateBasis.Created, Families.DealsCreated, Families.DealsClosed)]
    public void Win_rate_queries_only_the_family_of_its_basis(WinRateBasis basis, string queried, string skipped)
    {
        var trace = new List<string>();
        var request = Request([KpiCatalog.WinRate], "channel") with { Parameters = new KpiParameters { WinRateBasis = basis }, Trace = trace.Add };

        var report = new KpiEngine(ws).Run(request);

        trace.ShouldContain(l => l.StartsWith(queried + ":", StringComparison.Ordinal));
        trace.ShouldNotContain(l => l.StartsWith(skipped + ":", StringComparison.Ordinal));
        report.Results.Count(r => r.Value is not null).ShouldBeGreaterThan(12);
    }

    [Fact]
    public void Pruning_to_an_unknown_aggregate_throws()
    {
        var leads = Families.Build(new KpiParameters(), DuckDbDialect.Instance)[Families.Leads];

        Should.Throw<InvalidOperationException>(() => leads.Pruned(["median_of_nothing"])).Message.ShouldContain("median_of_nothing");
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void An_explain_listing_of_pruned_columns_equals_the_full_family_listing(string id)
    {
        var kpi = KpiCatalog.Get(id);
        var month = Period.Parse("2025-06");
        var channel = new KpiEngine(ws).Run(new ReportRequest { Period = month, Kpis = [kpi], By = kpi.Dimensions.Contains("channel") ? ["channel"] : [], AsOf = AsOf })
            .Results.Where(r => !r.IsTotal).OrderByDescending(r => r.N).Select(r => r.Slice["channel"]).FirstOrDefault();
        var slices = channel is null ? new[] { new Dictionary<string, string>() } : [new Dictionary<string, string>(), new Dictionary<string, string> { ["channel"] = channel }];
        foreach (var slice in slices)
        {
            foreach (var (limit, offset) in new[] { (7, 0), (7, 5), (int.MaxValue, 0) })
            {
                var pruned = new KpiEngine(ws) { PruneFamilies = true }.Explain(kpi, month, slice, AsOf, new KpiParameters(), limit, offset);
                var full = new KpiEngine(ws) { PruneFamilies = false }.Explain(kpi, month, slice, AsOf, new KpiParameters(), limit, offset);

                Listing(pruned).ShouldBe(Listing(full), $"{id} {string.Join(',', slice)} limit {limit} offset {offset}");
            }
        }

        // Not vacuous: the month's records of the whole company are listed.
        var all = new KpiEngine(ws).Explain(kpi, month, new Dictionary<string, string>(), AsOf, new KpiParameters(), int.MaxValue);
        if (kpi.Id is not ("cac" or "cost_per_lead"))
        {
            all.Sources.Sum(s => s.Rows.Count).ShouldBeGreaterThan(0, id);
        }
    }

    [Fact]
    public void A_count_listing_reads_neither_milestones_nor_won_deals()
    {
        var leads = Families.Build(new KpiParameters(), DuckDbDialect.Instance)[Families.Leads];
        var columns = KpiDefinitions.For(KpiCatalog.Leads).Sources.Single().Columns;

        var sql = leads.Listed(columns).ListSql(["channel"], 21, quarterHourBuckets: true, 20);

        sql.ShouldNotContain("lead_milestones");
        sql.ShouldNotContain("deals");
        sql.ShouldNotContain("\"score\"");
        sql.ShouldContain("OFFSET 20");
        leads.ListSql(["channel"], 21, quarterHourBuckets: true).ShouldContain("lead_milestones");
    }

    [Theory]
    [InlineData("")]
    [InlineData("channel")]
    public void Only_the_chosen_buckets_are_computed_and_each_equals_the_same_bucket_of_the_full_split(string by)
    {
        // The scorecard's three quarters: 2025-Q4, the quarter before and the year before, not the two between.
        var range = Period.Range(new DateOnly(2024, 10, 1), new DateOnly(2026, 1, 1));
        IReadOnlyList<Period> chosen = [Period.Parse("2024-Q4"), Period.Parse("2025-Q3"), Period.Parse("2025-Q4")];
        var request = new ReportRequest { Period = range, Grain = Grain.Quarter, By = by.Length == 0 ? [] : [by], AsOf = AsOf };

        var only = Lines(new KpiEngine(ws).Run(request with { Buckets = chosen }));
        var all = Lines(new KpiEngine(ws).Run(request));

        only.ShouldBe(all.Where(l => chosen.Any(p => l.Contains("|" + p + "|", StringComparison.Ordinal))).ToList());
        only.Count(l => !l.Contains("|value=|", StringComparison.Ordinal)).ShouldBeGreaterThan(KpiCatalog.All.Length * 2);
        all.Count.ShouldBeGreaterThan(only.Count);
    }

    // Each source's records as the hosts show them: the source's columns in order, nothing else.
    private static List<string> Listing(Explanation e) =>
        [.. e.Sources.SelectMany(s => s.Rows.Select(r => s.Title.Code + ": " + string.Join('|', s.Columns.Select(c => c + "=" + Convert.ToString(r[c], CultureInfo.InvariantCulture)))))];

    private static ReportRequest Request(IReadOnlyList<KpiDef> kpis, string by) =>
        new() { Period = Year, Grain = Grain.Month, Kpis = kpis, By = by.Length == 0 ? [] : [by], AsOf = AsOf };

    internal static List<string> Lines(KpiReport report) =>
        [.. report.Results.Select(r => string.Join(
            '|',
            r.Kpi.Id,
            r.Period.ToString(),
            string.Join(',', r.Slice.Select(s => s.Key + "=" + s.Value)),
            "value=" + D(r.Value),
            r.N.ToString(CultureInfo.InvariantCulture),
            D(r.Numerator),
            D(r.Denominator),
            r.Ci95 is { } ci ? D(ci.Low) + ".." + D(ci.High) : string.Empty,
            string.Join(',', r.Flags),
            r.Reason?.Render(Language.En) ?? string.Empty,
            string.Join(',', r.Details.Select(d => d.Key + "=" + D(d.Value)))))];

    // Floating aggregates (standard deviations, means of hours) may differ in the last bits between two runs of the
    // same query, as DuckDB's parallel aggregation adds in varying order; 12 significant digits are far above that noise.
    private static string D(decimal? d) => d is { } v ? ((double)v).ToString("G12", CultureInfo.InvariantCulture) : string.Empty;
}
