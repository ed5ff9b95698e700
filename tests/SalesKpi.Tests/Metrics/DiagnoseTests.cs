using SalesKpi.Core;
using SalesKpi.Core.Kpis;
using SalesKpi.Metrics.Analyses;
using SalesKpi.Metrics.Engine;
using SalesKpi.Metrics.KpiSystem;

namespace SalesKpi.Tests.Metrics;

public sealed class StatsTests
{
    [SkippableFact]
    public void Two_proportion_test_matches_a_reference_value()
    {
        // 30/100 against 45/100: pooled 0.375, z = 2.19089, p = 0.028460.
        Stats.TwoProportionP(30, 100, 45, 100)!.Value.ShouldBe(0.028460, 1e-5);
        Stats.TwoProportionP(0, 0, 1, 2).ShouldBeNull();
    }

    [SkippableFact]
    public void Welch_test_matches_a_reference_value()
    {
        // means 10 and 12, SDs 3 and 4, n 20 and 25: t = 1.91565, df = 42.85, p = 0.062097 (numerical integration).
        Stats.WelchP(10, 3, 20, 12, 4, 25)!.Value.ShouldBe(0.062097, 1e-5);
        Stats.StudentTUpper(2.0, 5).ShouldBe(0.050970, 1e-5);
        Stats.WelchP(1, 0, 5, 1, 0, 5).ShouldBeNull();
    }

    [SkippableFact]
    public void Normal_cdf_and_difference_test()
    {
        Stats.NormalCdf(1.96).ShouldBe(0.975002, 1e-6);
        Stats.DifferenceP(1.96, 1)!.Value.ShouldBe(0.049996, 1e-5);
        Stats.NpsStandardError(2, 2, 6).ShouldBe(33.333333, 1e-5);
    }
}

public class DiagnoseTests : IDisposable
{
    // August: Ann and Bob each win 25 of 50 closed deals (50 %). September: Ann still 25 of 50, Bob 5 of 50 (30 % in all).
    private static string Deals()
    {
        var rows = new System.Text.StringBuilder("deal_id,created_at,status,closed_at,amount,owner\n");
        void Add(string month, string owner, int won, int lost)
        {
            for (var i = 0; i < won + lost; i++)
            {
                var status = i < won ? "won" : "lost";
                rows.Append(System.Globalization.CultureInfo.InvariantCulture, $"{month}-{owner}-{i},2025-{month}-01,{status},2025-{month}-11,{(status == "won" ? "100" : string.Empty)},{owner}\n");
            }
        }

        Add("08", "Ann", 25, 25);
        Add("08", "Bob", 25, 25);
        Add("09", "Ann", 25, 25);
        Add("09", "Bob", 5, 45);
        return rows.ToString();
    }

    private readonly KpiFixture f = new(files: ("deals.csv", Deals()));

    public void Dispose() => f.Dispose();

    private DiagnoseReport Run(double alpha = 0.05) =>
        new DiagnoseEngine(f.Ws).Run(Period.Parse("2025-09"), Period.Parse("2025-08"), KpiFixture.At("2026-01-01T00:00:00Z"), new KpiParameters(), string.Empty, alpha);

    [SkippableFact]
    public void A_significant_drop_is_reported_with_its_test_and_the_owner_who_drives_it()
    {
        var finding = Run().Findings.Single(x => x.Kpi == "win_rate");
        // 50/100 against 30/100: pooled 0.4, z = 2.88675, p = 0.003892.
        finding.PValue.ShouldBe(0.003892, 1e-5);
        (finding.Before, finding.After, finding.Better, finding.Test).ShouldBe((0.5m, 0.3m, (bool?)false, "two-proportion z"));
        finding.Driver.ShouldBe(new Driver("owner", "Bob", -0.2m));
        finding.Text.En().ShouldContain("Win rate fell from 50.0 % in 2025-08 to 30.0 % (-20.0 pp, p = 0.004); most of it comes from owner = Bob (-20.0 pp)");
        finding.Drill.ShouldBe("saleskpi explain win_rate --period 2025-09 --slice \"owner=Bob\"");
    }

    [SkippableFact]
    public void A_finding_carries_the_kpi_name_and_numbers_as_arguments_and_renders_in_either_language()
    {
        var text = Run().Findings.Single(x => x.Kpi == "win_rate").Text;
        text.Code.ShouldBe("diagnose.kpi_changed");
        // Numbers are formatted when rendered, with the reader's culture: a decimal comma in Russian.
        text.Ru().ShouldBe("Коэффициент закрытия сделок: снижение с 50,0 % в 2025-08 до 30,0 % (-20,0 п.п., p = 0,004); больше всего изменение дал срез owner = Bob (-20,0 п.п.)");
    }

    [SkippableFact]
    public void Changes_below_the_significance_level_are_not_findings()
    {
        var report = Run(alpha: 0.001);
        report.Findings.ShouldNotContain(x => x.Kpi == "win_rate");
        report.Unchanged.ShouldContain("win_rate");
    }

    [SkippableFact]
    public void Kpis_without_data_or_a_test_are_listed_with_the_reason()
    {
        var report = Run();
        report.NotTested.ShouldContain(x => x.Kpi == "nps" && x.Reason.En() == "no nps.csv data imported");
        report.NotTested.ShouldContain(x => x.Kpi == "sales_velocity" && x.Reason.En()!.Contains("ratio of sums", StringComparison.Ordinal));
        report.NotTested.ShouldContain(x => x.Kpi == "average_deal_size" && x.Reason.En()!.Contains("no spread", StringComparison.Ordinal));
    }
}
