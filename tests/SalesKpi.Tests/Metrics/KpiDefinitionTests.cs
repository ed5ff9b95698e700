using System.Collections.Immutable;
using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

/// <summary>
/// Every catalogue KPI is one definition that the engine, explain and diagnose all read: a KPI added to
/// the catalogue without its definition, or with one that does not fit its formula, fails here by name.
/// </summary>
public sealed class KpiDefinitionTests(DemoWorkspace demo) : IClassFixture<DemoWorkspace>
{
    private static readonly Period Year = Period.Parse("2025");
    private static readonly DateTimeOffset AsOf = KpiFixture.At("2026-06-01T00:00:00Z");

    private readonly Workspace ws = demo.Ws;

    public static TheoryData<string> Kpis() => new(KpiCatalog.All.Select(k => k.Id));

    [Fact]
    public void Every_catalogue_kpi_has_exactly_one_definition_in_catalogue_order()
    {
        KpiDefinitions.All.Select(d => d.Kpi.Id).ShouldBe(KpiCatalog.All.Select(k => k.Id));
        foreach (var kpi in KpiCatalog.All)
        {
            KpiDefinitions.For(kpi).Kpi.ShouldBeSameAs(kpi, kpi.Id);
        }
    }

    [Fact]
    public void A_kpi_without_a_definition_is_named_in_the_error()
    {
        var stray = KpiCatalog.Leads with { Id = "stray_kpi" };

        Should.Throw<InvalidOperationException>(() => KpiDefinitions.For(stray)).Message.ShouldContain("'stray_kpi'");
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void The_families_a_definition_reads_are_the_catalogue_families_and_exist(string id)
    {
        var definition = KpiDefinitions.For(KpiCatalog.Get(id));
        var families = Families.Build(new KpiParameters(), SalesKpi.Storage.DuckDb.DuckDbDialect.Instance);

        definition.Reads.Order(StringComparer.Ordinal).ShouldBe(definition.Kpi.Families.Order(StringComparer.Ordinal), $"{id}: the families its computation reads");
        definition.Reads.ShouldAllBe(f => families.ContainsKey(f), $"{id}: every family it reads is built");
        definition.Sources.ShouldAllBe(s => families.ContainsKey(s.Family), $"{id}: every family explain lists is built");
        definition.Tables.ShouldAllBe(t => EntityCatalog.All.Any(e => e.Name == t), $"{id}: every table it needs is an entity");
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void The_change_test_follows_the_formula_and_proportions_are_ratios(string id)
    {
        var kpi = KpiCatalog.Get(id);
        var expected = kpi.Formula switch
        {
            KpiFormula.Count => ChangeTestKind.PoissonRateZ,
            KpiFormula.Proportion => ChangeTestKind.TwoProportionZ,
            KpiFormula.Mean or KpiFormula.Median => ChangeTestKind.WelchT,
            KpiFormula.NetScore => ChangeTestKind.NpsDifferenceZ,
            _ => ChangeTestKind.None,
        };

        KpiDefinitions.For(kpi).Test.Kind.ShouldBe(expected, id);
        (kpi.Formula == KpiFormula.Proportion).ShouldBe(kpi.IsProportion, $"{id}: a proportion is exactly a KPI in the ratio unit");
        (kpi.Formula == KpiFormula.Median).ShouldBe(KpiDefinitions.For(kpi).Test.MeanDetail is not null, $"{id}: a median is tested on the mean its details carry");
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void Every_catalogue_kpi_is_computed_with_what_its_change_test_reads(string id)
    {
        var kpi = KpiCatalog.Get(id);
        var result = new KpiEngine(ws).Run(new ReportRequest { Period = Year, Kpis = [kpi], AsOf = AsOf }).Results.Single(r => r.IsTotal);

        result.Value.ShouldNotBeNull($"{id}: {result.Reason}");
        var test = KpiDefinitions.For(kpi).Test;
        switch (test.Kind)
        {
            case ChangeTestKind.TwoProportionZ:
                result.Numerator.ShouldNotBeNull(id);
                result.Denominator.ShouldNotBeNull(id);
                break;
            case ChangeTestKind.WelchT:
                result.Details.ShouldContainKey(test.SpreadDetail!, id);
                result.Details[test.SpreadDetail!].ShouldNotBeNull(id);
                if (test.MeanDetail is { } mean)
                {
                    result.Details[mean].ShouldNotBeNull(id);
                }

                break;
            case ChangeTestKind.NpsDifferenceZ:
                result.Details.ShouldContainKey(DetailKeys.Promoters, id);
                result.Details.ShouldContainKey(DetailKeys.Detractors, id);
                break;
            case ChangeTestKind.PoissonRateZ:
                kpi.Unit.ShouldBe(KpiUnit.Count, id);
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Kpis))]
    public void Every_catalogue_kpi_is_explained_with_its_formula_and_the_columns_it_names(string id)
    {
        var kpi = KpiCatalog.Get(id);
        var explanation = new KpiEngine(ws).Explain(kpi, Year, ImmutableDictionary<string, string>.Empty, AsOf, new KpiParameters(), 3);

        explanation.Definition.En().ShouldNotBeNullOrWhiteSpace(id);
        explanation.Result.ShouldNotBeNull(id);
        explanation.Sources.ShouldNotBeEmpty(id);
        foreach (var source in explanation.Sources)
        {
            source.Rows.ShouldNotBeEmpty($"{id}: {source.Title}");
            foreach (var column in source.Columns)
            {
                source.Rows[0].ShouldContainKey(column, $"{id}: {source.Title} lists '{column}', which its family's rows must have");
            }
        }
    }

    [Fact]
    public void Every_catalogue_kpi_with_a_test_gets_a_p_value_from_diagnose()
    {
        // Whole years, so that the KPIs have the units the small-sample rules (SignificanceRules) ask for.
        var report = new DiagnoseEngine(ws).Run(Period.Parse("2025"), Period.Parse("2024"), AsOf, new KpiParameters(), string.Empty, alpha: 1.01);
        var notTested = report.NotTested.ToDictionary(n => n.Kpi, n => n.Reason);

        var shortOfUnits = 0;
        foreach (var kpi in KpiCatalog.All)
        {
            var tested = report.Findings.Any(f => f.Kpi == kpi.Id) || report.Unchanged.Contains(kpi.Id);
            var hasTest = KpiDefinitions.For(kpi).Test.Kind != ChangeTestKind.None;
            if (hasTest)
            {
                // Short of the units SignificanceRules ask for, a KPI is still reached by its own test, which
                // says so; any other reason would mean the definition's test was never dispatched.
                if (!tested)
                {
                    notTested[kpi.Id].En().ShouldStartWith("too few", Case.Sensitive, kpi.Id);
                    shortOfUnits++;
                }

                if (report.Findings.FirstOrDefault(f => f.Kpi == kpi.Id) is { } finding)
                {
                    finding.Test.ShouldBe(KpiDefinitions.For(kpi).Test.Name, kpi.Id);
                }
            }
            else
            {
                tested.ShouldBeFalse(kpi.Id);
                notTested.ShouldContainKey(kpi.Id);
            }
        }

        // The demo's two years give every tested KPI its units but one (realised LTV: a dozen churned customers a year).
        shortOfUnits.ShouldBeLessThanOrEqualTo(1);
    }
}

/// <summary>A small demo workspace (2,000 leads of history up to June 2026) where every catalogue KPI has a value in 2025.</summary>
public sealed class DemoWorkspace : IDisposable
{
    private readonly TempDir dir = new();

    public DemoWorkspace()
    {
        SalesKpi.Demo.DemoGenerator.Write(dir.File("data"), new SalesKpi.Demo.DemoOptions { Leads = 2000, Seed = 11, Now = new DateTime(2026, 6, 1) });
        Ws = SalesKpi.Tests.Ws.Create(dir);
        new Importer(Ws, FixedClock.At("2026-06-01T00:00:00Z")).Run(new ImportOptions { Paths = [dir.File("data")] }).Rejected.ShouldBe(0);
    }

    public Workspace Ws { get; }

    public void Dispose()
    {
        Ws.Dispose();
        dir.Dispose();
    }
}
