using SalesKpi.Core.Kpis;
using SalesKpi.Import;
using SalesKpi.Storage;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

/// <summary>Properties that must hold on any data: run over the sample workspace in samples/canonical.</summary>
public class ConsistencyTests : IDisposable
{
    private readonly TempDir dir = new();
    private readonly Workspace ws;

    public ConsistencyTests()
    {
        ws = Ws.Create(dir);
        var samples = Path.Combine(RepoRoot(), "samples", "canonical");
        new Importer(ws, FixedClock.At("2026-01-01T00:00:00Z")).Run(new ImportOptions { Paths = [samples] }).Rejected.ShouldBe(0);
    }

    public void Dispose()
    {
        ws.Dispose();
        dir.Dispose();
    }

    public static TheoryData<string> Dimensions() => new(KpiCatalog.AllDimensions);

    [SkippableTheory]
    [MemberData(nameof(Dimensions))]
    public void Slices_of_additive_kpis_and_ratio_parts_sum_to_the_total(string dim)
    {
        var report = new KpiEngine(ws).Run(new ReportRequest
        {
            Period = SalesKpi.Core.Period.Parse("2025"),
            Grain = SalesKpi.Core.Grain.Quarter,
            By = [dim],
            AsOf = KpiFixture.At("2026-06-01T00:00:00Z"),
        });

        var checkedGroups = 0;
        foreach (var group in report.Results.GroupBy(r => (r.Kpi.Id, r.Period.Label)))
        {
            var total = group.Single(r => r.IsTotal);
            var slices = group.Where(r => !r.IsTotal).ToList();
            if (slices.Count == 0)
            {
                continue;
            }

            checkedGroups++;
            if (total.Kpi.Unit == KpiUnit.Count)
            {
                slices.Sum(r => r.Value ?? 0).ShouldBe(total.Value ?? 0, $"{total.Kpi.Id} {total.Period.Label} by {dim}");
            }

            if (total.Kpi.IsProportion || total.Kpi.Id is "cost_per_lead" or "customer_acquisition_cost" or "activities_per_deal")
            {
                slices.Sum(r => r.Numerator ?? 0).ShouldBe(total.Numerator ?? 0, $"{total.Kpi.Id} numerator {total.Period.Label} by {dim}");
                slices.Sum(r => r.Denominator ?? 0).ShouldBe(total.Denominator ?? 0, $"{total.Kpi.Id} denominator {total.Period.Label} by {dim}");
            }

            // Every unit falls into exactly one slice ("(none)" included), so the slices' n add up to the total's —
            // except LTV/CAC, whose n is the smaller of two counts: a sum of minima is at most the minimum of the sums.
            if (total.Kpi.Id == "ltv_to_cac")
            {
                slices.Sum(r => r.N).ShouldBeLessThanOrEqualTo(total.N, $"{total.Kpi.Id} n {total.Period.Label} by {dim}");
            }
            else
            {
                slices.Sum(r => r.N).ShouldBe(total.N, $"{total.Kpi.Id} n {total.Period.Label} by {dim}");
            }
        }

        checkedGroups.ShouldBeGreaterThan(0);
    }

    [SkippableFact]
    public void Proportions_and_their_intervals_stay_within_0_and_1()
    {
        var report = new KpiEngine(ws).Run(new ReportRequest { Period = SalesKpi.Core.Period.Parse("2025"), Grain = SalesKpi.Core.Grain.Month, AsOf = KpiFixture.At("2026-06-01T00:00:00Z") });
        foreach (var r in report.Results.Where(r => r.Kpi.IsProportion && r.Value is not null))
        {
            r.Value!.Value.ShouldBeInRange(0m, 1m);
            r.Ci95!.Low.ShouldBeLessThanOrEqualTo(r.Value.Value);
            r.Ci95.High.ShouldBeGreaterThanOrEqualTo(r.Value.Value);
        }

        report.Results.Where(r => r.Value is null).ShouldAllBe(r => r.Reason != null);
    }

    internal static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "SalesKpi.slnx")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
